package engine

import (
	"context"
	"errors"
	"fmt"
)

// Kind classifies a user-facing error; the Python layer maps it to an
// exception class.
type Kind string

// The kinds of user-facing error.
const (
	// KindValue is a bad value: a NaN target, an out-of-range parameter.
	KindValue Kind = "ValueError"
	// KindType is a column or argument of the wrong type.
	KindType Kind = "TypeError"
	// KindColumn is a column that is missing.
	KindColumn Kind = "ColumnError"
	// KindFormat is a model file that cannot be read.
	KindFormat Kind = "ModelFileError"
	// KindCancelled is a fit cancelled by the caller.
	KindCancelled Kind = "Cancelled"
	// KindInternal is a bug: a recovered panic or a broken invariant.
	KindInternal Kind = "InternalError"
)

// Error is an error meant for the user. Msg names the column, parameter or
// value at fault.
type Error struct {
	Kind Kind
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Errorf returns an *Error of the given kind.
func Errorf(kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err: the Kind of an *Error in its chain,
// KindCancelled for context cancellation, KindInternal otherwise.
func KindOf(err error) Kind {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e.Kind
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return KindCancelled
	}
	return KindInternal
}
