package ring_test

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/wirebom/wirebom/ring"
)

// Several capture workers feed one writer. Workers never block: when the
// writer falls behind, TryPushBatch refuses what does not fit and the
// refusals are counted as drops.
func ExampleMPSC() {
	q, err := ring.NewMPSC[int](1024)
	if err != nil {
		fmt.Println(err)
		return
	}
	var workers sync.WaitGroup
	for w := range 3 {
		workers.Go(func() {
			batch := []int{w * 10, w*10 + 1, w*10 + 2}
			q.TryPushBatch(batch)
		})
	}
	go func() {
		workers.Wait()
		q.Close() // after the last push: the writer drains, then stops
	}()

	sum, dst := 0, make([]int, 64)
	for {
		n, err := q.PopBatch(context.Background(), dst)
		if errors.Is(err, ring.ErrClosed) {
			break
		}
		for _, v := range dst[:n] {
			sum += v
		}
	}
	fmt.Println("sum", sum, "dropped", q.Refused(), "high water <= cap:", q.HighWater() <= q.Cap())
	// Output: sum 99 dropped 0 high water <= cap: true
}

func ExampleNewSPSC() {
	_, err := ring.NewSPSC[[]byte](1000)
	fmt.Println(err)
	fmt.Println(errors.Is(err, ring.ErrCapacity))
	// Output:
	// ring: capacity 1000: capacity must be a power of two between 1 and 2^30
	// true
}
