//go:build !amd64

package gbdt

const haveAccRows = false

func accRowsU8(*slot, *uint8, int, *int32, int, *gradPair, *int, int) { panic("unreachable") }
