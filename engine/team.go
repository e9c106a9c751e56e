package engine

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// spinFor is how long an idle team member keeps polling for work before it
// sleeps. Mini-batch training hands out work every few hundred
// microseconds; waking a sleeping thread costs tens of them.
const spinFor = 200 * time.Microsecond

// A Team runs many small parallel loops on the same goroutines, for
// callers such as mini-batch training that need thousands of short
// parallel steps a second: starting goroutines and waking sleeping threads
// for every step would cost as much as the step. Between steps its members
// poll for work for spinFor before they sleep.
//
// The caller owns the team: it alone calls Run, and Close stops the
// members and waits for them. A panic in a task is raised again in the
// caller of Run, as conc's pool does.
type Team struct {
	ctx     context.Context
	members int // goroutines besides the caller

	job  atomic.Pointer[teamJob]
	next atomic.Uint64 // step<<32 | next task to claim
	done atomic.Int64  // tasks of the current step finished
	step uint64        // written by Run only

	stop   atomic.Bool
	asleep []atomic.Bool
	wake   []chan struct{}
	wg     sync.WaitGroup

	mu       sync.Mutex
	panicked any
}

// teamJob is one step: fn over [0, n).
type teamJob struct {
	fn   func(i int)
	n    uint32
	step uint64
}

// NewTeam starts a team of threads goroutines, the caller of Run counting
// as one (all CPUs when threads <= 0). Tasks are skipped once ctx is done.
func NewTeam(ctx context.Context, threads int) *Team {
	t := &Team{ctx: ctx, members: Threads(threads) - 1}
	t.asleep = make([]atomic.Bool, t.members)
	t.wake = make([]chan struct{}, t.members)
	for m := range t.members {
		t.wake[m] = make(chan struct{}, 1)
		t.wg.Add(1)
		go t.member(m)
	}
	return t
}

// Run calls fn(i) for every i in [0, n) on the team and the caller, and
// returns when all are done, with ctx's error if it is done. n must fit in
// 32 bits.
func (t *Team) Run(n int, fn func(i int)) error {
	if t.members == 0 || n <= 1 {
		for i := range n {
			if err := t.ctx.Err(); err != nil {
				return err
			}
			fn(i)
		}
		return t.ctx.Err()
	}
	t.step++
	j := &teamJob{fn: fn, n: uint32(n), step: t.step}
	t.done.Store(0)
	t.job.Store(j)
	t.next.Store(j.step << 32) // from here members may claim tasks
	for m := range t.members {
		if t.asleep[m].CompareAndSwap(true, false) {
			t.wake[m] <- struct{}{}
		}
	}
	t.work(j)
	for t.done.Load() < int64(n) {
		runtime.Gosched()
	}
	t.mu.Lock()
	p := t.panicked
	t.panicked = nil
	t.mu.Unlock()
	if p != nil {
		panic(fmt.Sprintf("engine: team task panicked: %v", p))
	}
	return t.ctx.Err()
}

// work claims and runs tasks of step j until none is left. Claims are
// compare-and-swaps on (step, task), so a member still holding an older
// step never takes a task of a newer one.
func (t *Team) work(j *teamJob) {
	for {
		v := t.next.Load()
		if v>>32 != j.step || uint32(v) >= j.n {
			return
		}
		if t.next.CompareAndSwap(v, v+1) {
			t.run(j, int(uint32(v)))
			t.done.Add(1)
		}
	}
}

func (t *Team) run(j *teamJob, i int) {
	defer func() {
		if r := recover(); r != nil {
			t.mu.Lock()
			if t.panicked == nil {
				t.panicked = r
			}
			t.mu.Unlock()
		}
	}()
	if t.ctx.Err() == nil {
		j.fn(i)
	}
}

// member runs the steps it sees, polling between them and sleeping after
// spinFor without one.
func (t *Team) member(m int) {
	defer t.wg.Done()
	var seen uint64
	idle := time.Now()
	for {
		if t.stop.Load() {
			return
		}
		if j := t.job.Load(); j != nil && j.step != seen {
			seen = j.step
			t.work(j)
			idle = time.Now()
			continue
		}
		if time.Since(idle) < spinFor {
			runtime.Gosched()
			continue
		}
		t.asleep[m].Store(true)
		// A step published (or Close called) before asleep was set would
		// send no wake-up: look again, and if there is one, take the
		// sleep back, or consume the wake-up Run or Close already sends.
		if j := t.job.Load(); (j != nil && j.step != seen) || t.stop.Load() {
			if !t.asleep[m].CompareAndSwap(true, false) {
				<-t.wake[m]
			}
		} else {
			<-t.wake[m]
		}
		idle = time.Now()
	}
}

// Close stops the team's goroutines and waits for them.
func (t *Team) Close() {
	t.stop.Store(true)
	for m := range t.members {
		if t.asleep[m].CompareAndSwap(true, false) {
			t.wake[m] <- struct{}{}
		}
	}
	t.wg.Wait()
}
