package capi

import "fmt"

// Status is what the C functions return: enum quiver_status of the header.
type Status int

// The values of enum quiver_status; the header documents when each is
// returned.
const (
	StatusOK       Status = 0
	StatusArgument Status = 1
	StatusInput    Status = 2
	StatusModel    Status = 3
	StatusInternal Status = 4
)

// String returns the name of the C enumerator.
func (s Status) String() string {
	switch s {
	case StatusOK:
		return "QUIVER_OK"
	case StatusArgument:
		return "QUIVER_ERR_ARGUMENT"
	case StatusInput:
		return "QUIVER_ERR_INPUT"
	case StatusModel:
		return "QUIVER_ERR_MODEL"
	case StatusInternal:
		return "QUIVER_ERR_INTERNAL"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// failure is an error with the status a C function returns for it.
type failure struct {
	status Status
	msg    string
}

func (f *failure) Error() string { return f.msg }

func fail(st Status, format string, args ...any) *failure {
	return &failure{status: st, msg: fmt.Sprintf(format, args...)}
}

// statusOf returns the status for err: its own if it is a failure, else
// QUIVER_ERR_INTERNAL, since every expected error is given a status where
// it arises.
func statusOf(err error) Status {
	if err == nil {
		return StatusOK
	}
	if f, ok := err.(*failure); ok {
		return f.status
	}
	return StatusInternal
}

// panicked returns the failure for the value r recovered from a panic.
func panicked(r any) *failure {
	// With debug.SetPanicOnFault, reading past the end of a caller's
	// buffer into unmapped memory panics with the address.
	if f, ok := r.(interface{ Addr() uintptr }); ok {
		return fail(StatusInternal, "internal error: memory fault at address %#x (is a buffer shorter than its length argument?): %v", f.Addr(), r)
	}
	return fail(StatusInternal, "internal error: %v", r)
}
