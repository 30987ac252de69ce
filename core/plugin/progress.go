package plugin

import "context"

// ProgressFunc receives progress reports: done units of total (total <= 0
// when unknown) and an optional short message.
type ProgressFunc func(done, total int64, msg string)

type progressKey struct{}

// WithProgress returns a context that carries a progress callback. The
// engine installs one for every step; over gRPC the shim forwards reports
// from the plugin process to the host.
func WithProgress(ctx context.Context, fn ProgressFunc) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// ReportProgress reports progress on long work (epochs, files, blocks).
// It is cheap and does nothing when no callback is installed; call it at
// most a few times per second.
func ReportProgress(ctx context.Context, done, total int64, msg string) {
	if fn, ok := ctx.Value(progressKey{}).(ProgressFunc); ok && fn != nil {
		fn(done, total, msg)
	}
}
