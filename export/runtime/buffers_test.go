package runtime_test

import (
	"slices"
	"testing"

	"github.com/quiver-ml/quiver/export/runtime"
)

func TestBuffers(t *testing.T) {
	var b runtime.Buffers[int32]
	s := b.Get(4)
	for i := range s {
		s[i] = 7
	}
	b.Put(s)
	for _, n := range []int{3, 4, 9} { // smaller, equal, larger than what was put
		got := b.Get(n)
		if len(got) != n || !slices.Equal(got, make([]int32, n)) {
			t.Errorf("Get(%d) = %v, want %d zeros", n, got, n)
		}
		for i := range got {
			got[i] = 1
		}
		b.Put(got)
	}
}
