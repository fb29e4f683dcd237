//go:build race

package ring

// raceEnabled shortens stress tests under the race detector, which slows
// them about tenfold.
const raceEnabled = true
