//go:build amd64

#include "textflag.h"

// func accRowsU8(hist *slot, bins *uint8, ng int, rows *int32, n int, gh *gradPair, rel *int, width int)
//
// For each of the n rows r = rows[i] in order, adds gh[r] to the slots
// rel[k] + bins[r*ng+k] of hist, k < width, as one 128-bit add of the
// gradient and hessian. The rows 16 places ahead are prefetched: a leaf's
// rows are scattered over the matrix, and the wait for their cache lines,
// not the adds, is what a plain loop spends its time on.
TEXT ·accRowsU8(SB), NOSPLIT, $0-64
	MOVQ hist+0(FP), DI
	MOVQ bins+8(FP), SI
	MOVQ ng+16(FP), R8
	MOVQ rows+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ gh+40(FP), R10
	MOVQ rel+48(FP), R11
	MOVQ width+56(FP), R12
	TESTQ CX, CX
	JLE done
	TESTQ R12, R12
	JLE done
	XORQ AX, AX

loop:
	LEAQ 16(AX), BX
	CMPQ BX, CX
	JLT ahead
	LEAQ -1(CX), BX

ahead:
	MOVLQSX (R9)(BX*4), BX
	MOVQ BX, DX
	SHLQ $4, DX
	PREFETCHT0 (R10)(DX*1)
	IMULQ R8, BX
	PREFETCHT0 (SI)(BX*1)

	MOVLQSX (R9)(AX*4), BX
	MOVQ BX, DX
	SHLQ $4, DX
	MOVUPD (R10)(DX*1), X0
	IMULQ R8, BX
	LEAQ (SI)(BX*1), DX
	XORQ R13, R13

inner:
	MOVBQZX (DX)(R13*1), BX
	ADDQ (R11)(R13*8), BX
	SHLQ $4, BX
	MOVUPD (DI)(BX*1), X1
	ADDPD X0, X1
	MOVUPD X1, (DI)(BX*1)
	INCQ R13
	CMPQ R13, R12
	JLT inner

	INCQ AX
	CMPQ AX, CX
	JLT loop

done:
	RET
