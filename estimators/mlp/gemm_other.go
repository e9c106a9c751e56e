//go:build !amd64

package mlp

// haveFMA is false: there are no assembly kernels for this architecture.
const haveFMA = false

func kernel4x16(int, *float32, int, int, *float32, int, *float32, int, bool) { panic("unreachable") }
func kernel1x16(int, *float32, int, *float32, int, *float32, bool)           { panic("unreachable") }
func kernel4x8(int, *float32, int, int, *float32, int, *float32, int, bool)  { panic("unreachable") }
func kernel1x8(int, *float32, int, *float32, int, *float32, bool)            { panic("unreachable") }
