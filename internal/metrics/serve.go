package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"
)

// ListenError is returned by [Listen] when the metrics address cannot be
// bound. Its message names the address and the flag to change it.
type ListenError struct {
	Addr string // the address asked for
	Err  error  // the error from the operating system
}

// Error returns a message for the user, naming the fix where one is known.
func (e *ListenError) Error() string {
	switch {
	case errors.Is(e.Err, syscall.EADDRINUSE):
		return fmt.Sprintf("metrics address %s already in use: choose another with --metrics", e.Addr)
	case errors.Is(e.Err, syscall.EACCES):
		return fmt.Sprintf("metrics address %s: permission denied (ports below 1024 need root or cap_net_bind_service): choose another with --metrics", e.Addr)
	case errors.Is(e.Err, syscall.EADDRNOTAVAIL):
		return fmt.Sprintf("metrics address %s is not an address of this machine: choose another with --metrics", e.Addr)
	}
	return fmt.Sprintf("metrics address %s: %v", e.Addr, e.Err)
}

// Unwrap returns the operating system's error.
func (e *ListenError) Unwrap() error { return e.Err }

// Listen opens a TCP listener on addr (host:port, such as 127.0.0.1:9090;
// port 0 picks a free one). Call it before starting capture so that a bad
// --metrics value fails at once. Errors are *ListenError.
func Listen(addr string) (net.Listener, error) {
	if addr == "" {
		return nil, &ListenError{Addr: `""`, Err: errors.New("empty address: give host:port, such as 127.0.0.1:9090")}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &ListenError{Addr: addr, Err: err}
	}
	return ln, nil
}

// shutdownGrace bounds how long Serve waits for scrapes in progress once its
// context is done.
const shutdownGrace = 5 * time.Second

// Serve serves the registry on ln, at /metrics, until ctx is done; it then
// shuts the server down (waiting up to 5 s for scrapes in progress), closes
// ln and returns nil. Any other error stopping the server is returned.
func (r *Registry) Serve(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", r.Handler())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<html><head><title>wirebom</title></head><body><p><a href=\"/metrics\">metrics</a></p></body></html>\n")
	})
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("metrics server on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(sctx)
	<-errc // http.ErrServerClosed once Shutdown has begun
	if err != nil {
		srv.Close()
		return fmt.Errorf("metrics server on %s: shutting down: %w", ln.Addr(), err)
	}
	return nil
}

// Serve listens on addr and serves r until ctx is done; see [Listen] and
// [Registry.Serve]. Prefer calling those two separately when the caller must
// know about a bad address before going on.
func Serve(ctx context.Context, addr string, r *Registry) error {
	ln, err := Listen(addr)
	if err != nil {
		return err
	}
	return r.Serve(ctx, ln)
}
