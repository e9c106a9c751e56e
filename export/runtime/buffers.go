package runtime

import "sync"

// Buffers hands out slices for a generated scorer's block code and keeps
// them between calls, so that a warm scorer does not ask the garbage
// collector for a block's worth of memory on every call. It is safe for
// concurrent use; the zero value is ready.
type Buffers[T any] struct{ pool sync.Pool }

// Get returns a zeroed slice of n values, to give back with Put.
func (b *Buffers[T]) Get(n int) []T {
	if p, ok := b.pool.Get().(*[]T); ok && cap(*p) >= n {
		s := (*p)[:n]
		clear(s)
		return s
	}
	return make([]T, n)
}

// Put keeps s for a later Get; s must not be used after.
func (b *Buffers[T]) Put(s []T) { b.pool.Put(&s) }
