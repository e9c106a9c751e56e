package engine

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestTeamRunsEveryTaskOncePerStep(t *testing.T) {
	for _, threads := range []int{1, 2, 4, 8} {
		team := NewTeam(context.Background(), threads)
		for step := range 2000 {
			n := step%7 + 1
			hits := make([]atomic.Int32, n)
			if err := team.Run(n, func(i int) { hits[i].Add(1) }); err != nil {
				t.Fatal(err)
			}
			for i := range hits {
				if h := hits[i].Load(); h != 1 {
					t.Fatalf("threads %d, step %d: task %d ran %d times", threads, step, i, h)
				}
			}
			if step%500 == 0 {
				time.Sleep(2 * spinFor) // let members fall asleep, then wake them
			}
		}
		team.Close()
	}
}

func TestTeamPanicSurfacesInRun(t *testing.T) {
	team := NewTeam(context.Background(), 2)
	defer team.Close()
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), "boom") {
			t.Fatalf("recovered %v, want the task's panic", r)
		}
	}()
	team.Run(4, func(i int) {
		if i == 3 {
			panic("boom")
		}
	})
}

func TestTeamStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	team := NewTeam(ctx, 2)
	defer team.Close()
	cancel()
	ran := atomic.Int32{}
	if err := team.Run(8, func(int) { ran.Add(1) }); err == nil {
		t.Fatal("Run after cancel returned no error")
	}
	if ran.Load() != 0 {
		t.Fatalf("%d tasks ran after cancel", ran.Load())
	}
}

func TestTeamCloseWithoutRun(t *testing.T) {
	team := NewTeam(context.Background(), 3)
	time.Sleep(2 * spinFor)
	team.Close()
}

func BenchmarkTeamStep(b *testing.B) {
	team := NewTeam(context.Background(), 2)
	defer team.Close()
	var sink [2]float64
	for range b.N {
		team.Run(2, func(i int) {
			s := 0.0
			for k := range 20000 {
				s += float64(k)
			}
			sink[i] = s
		})
	}
}
