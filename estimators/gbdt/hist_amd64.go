//go:build amd64

package gbdt

// haveAccRows says whether accRowsU8 exists on this architecture.
const haveAccRows = true

//go:noescape
func accRowsU8(hist *slot, bins *uint8, ng int, rows *int32, n int, gh *gradPair, rel *int, width int)
