//go:build amd64

#include "textflag.h"

// Register-blocked float32 matrix products for gemm (see gemm_amd64.go).
// Each keeps its block of c in YMM accumulators over the whole sum: per
// step of k it loads one row of b's panel and broadcasts one element of
// a per row of the block. n is at least 1.

// func kernel4x16(n int, a *float32, rs, cs int, b *float32, ldb int, c *float32, ldc int, add bool)
TEXT ·kernel4x16(SB), NOSPLIT, $0-65
	MOVQ n+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ rs+16(FP), R8
	MOVQ cs+24(FP), R9
	MOVQ b+32(FP), BX
	MOVQ ldb+40(FP), DX
	MOVQ c+48(FP), DI
	MOVQ ldc+56(FP), R11
	MOVBQZX add+64(FP), AX
	SHLQ $2, R8
	SHLQ $2, R11
	LEAQ (R8)(R8*2), R10
	SHLQ $2, R9
	SHLQ $2, DX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
kernel4x16_loop:
	VMOVUPS 0(BX), Y8
	VMOVUPS 32(BX), Y9
	VBROADCASTSS (SI), Y12
	VFMADD231PS Y8, Y12, Y0
	VFMADD231PS Y9, Y12, Y1
	VBROADCASTSS (SI)(R8*1), Y13
	VFMADD231PS Y8, Y13, Y2
	VFMADD231PS Y9, Y13, Y3
	VBROADCASTSS (SI)(R8*2), Y14
	VFMADD231PS Y8, Y14, Y4
	VFMADD231PS Y9, Y14, Y5
	VBROADCASTSS (SI)(R10*1), Y15
	VFMADD231PS Y8, Y15, Y6
	VFMADD231PS Y9, Y15, Y7
	ADDQ R9, SI
	ADDQ DX, BX
	DECQ CX
	JNZ kernel4x16_loop
	TESTQ AX, AX
	JZ kernel4x16_store
	VADDPS 0(DI), Y0, Y0
	VADDPS 32(DI), Y1, Y1
	ADDQ R11, DI
	VADDPS 0(DI), Y2, Y2
	VADDPS 32(DI), Y3, Y3
	ADDQ R11, DI
	VADDPS 0(DI), Y4, Y4
	VADDPS 32(DI), Y5, Y5
	ADDQ R11, DI
	VADDPS 0(DI), Y6, Y6
	VADDPS 32(DI), Y7, Y7
	MOVQ c+48(FP), DI
kernel4x16_store:
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	ADDQ R11, DI
	VMOVUPS Y2, 0(DI)
	VMOVUPS Y3, 32(DI)
	ADDQ R11, DI
	VMOVUPS Y4, 0(DI)
	VMOVUPS Y5, 32(DI)
	ADDQ R11, DI
	VMOVUPS Y6, 0(DI)
	VMOVUPS Y7, 32(DI)
	VZEROUPPER
	RET

// func kernel1x16(n int, a *float32, cs int, b *float32, ldb int, c *float32, add bool)
TEXT ·kernel1x16(SB), NOSPLIT, $0-49
	MOVQ n+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ cs+16(FP), R9
	MOVQ b+24(FP), BX
	MOVQ ldb+32(FP), DX
	MOVQ c+40(FP), DI
	MOVBQZX add+48(FP), AX
	SHLQ $2, R9
	SHLQ $2, DX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
kernel1x16_loop:
	VMOVUPS 0(BX), Y8
	VMOVUPS 32(BX), Y9
	VBROADCASTSS (SI), Y12
	VFMADD231PS Y8, Y12, Y0
	VFMADD231PS Y9, Y12, Y1
	ADDQ R9, SI
	ADDQ DX, BX
	DECQ CX
	JNZ kernel1x16_loop
	TESTQ AX, AX
	JZ kernel1x16_store
	VADDPS 0(DI), Y0, Y0
	VADDPS 32(DI), Y1, Y1
	MOVQ c+40(FP), DI
kernel1x16_store:
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VZEROUPPER
	RET

// func kernel4x8(n int, a *float32, rs, cs int, b *float32, ldb int, c *float32, ldc int, add bool)
TEXT ·kernel4x8(SB), NOSPLIT, $0-65
	MOVQ n+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ rs+16(FP), R8
	MOVQ cs+24(FP), R9
	MOVQ b+32(FP), BX
	MOVQ ldb+40(FP), DX
	MOVQ c+48(FP), DI
	MOVQ ldc+56(FP), R11
	MOVBQZX add+64(FP), AX
	SHLQ $2, R8
	SHLQ $2, R11
	LEAQ (R8)(R8*2), R10
	SHLQ $2, R9
	SHLQ $2, DX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
kernel4x8_loop:
	VMOVUPS 0(BX), Y8
	VBROADCASTSS (SI), Y12
	VFMADD231PS Y8, Y12, Y0
	VBROADCASTSS (SI)(R8*1), Y13
	VFMADD231PS Y8, Y13, Y1
	VBROADCASTSS (SI)(R8*2), Y14
	VFMADD231PS Y8, Y14, Y2
	VBROADCASTSS (SI)(R10*1), Y15
	VFMADD231PS Y8, Y15, Y3
	ADDQ R9, SI
	ADDQ DX, BX
	DECQ CX
	JNZ kernel4x8_loop
	TESTQ AX, AX
	JZ kernel4x8_store
	VADDPS 0(DI), Y0, Y0
	ADDQ R11, DI
	VADDPS 0(DI), Y1, Y1
	ADDQ R11, DI
	VADDPS 0(DI), Y2, Y2
	ADDQ R11, DI
	VADDPS 0(DI), Y3, Y3
	MOVQ c+48(FP), DI
kernel4x8_store:
	VMOVUPS Y0, 0(DI)
	ADDQ R11, DI
	VMOVUPS Y1, 0(DI)
	ADDQ R11, DI
	VMOVUPS Y2, 0(DI)
	ADDQ R11, DI
	VMOVUPS Y3, 0(DI)
	VZEROUPPER
	RET

// func kernel1x8(n int, a *float32, cs int, b *float32, ldb int, c *float32, add bool)
TEXT ·kernel1x8(SB), NOSPLIT, $0-49
	MOVQ n+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ cs+16(FP), R9
	MOVQ b+24(FP), BX
	MOVQ ldb+32(FP), DX
	MOVQ c+40(FP), DI
	MOVBQZX add+48(FP), AX
	SHLQ $2, R9
	SHLQ $2, DX
	VXORPS Y0, Y0, Y0
kernel1x8_loop:
	VMOVUPS 0(BX), Y8
	VBROADCASTSS (SI), Y12
	VFMADD231PS Y8, Y12, Y0
	ADDQ R9, SI
	ADDQ DX, BX
	DECQ CX
	JNZ kernel1x8_loop
	TESTQ AX, AX
	JZ kernel1x8_store
	VADDPS 0(DI), Y0, Y0
	MOVQ c+40(FP), DI
kernel1x8_store:
	VMOVUPS Y0, 0(DI)
	VZEROUPPER
	RET
