// Four-chain SEMD sweep kernel for amd64 (called by sweepFast in
// kernel_amd64.go). Its portable equivalent is sweepGo in kernel.go; the
// tests require both to give bit-identical results, so change them together.
// The eight steps of the loop body are the same block with the registers of
// each chain substituted.

//go:build amd64 && !purego

#include "textflag.h"

// func sweep4(st *chains, n int)
//
// Advances the four sweep chains of st by 2n segments each. Register use:
// chain k has its A and B pointers in (SI, R10), (DI, R11), (R8, R12),
// (R9, R13); its previous breakpoint t and the new breakpoint c alternate
// between two X registers from one step to the next (so t needs no update),
// and its sum is in X4, X7, X10, X13. Per segment: load both breakpoints as
// integers (non-negative float64 bit patterns order like the values),
// compare, advance the pointer of the smaller with a conditional move
// (no branch), and add (c - t)·(ω_a - ω_b)² to the chain's sum.
TEXT ·sweep4(SB), NOSPLIT, $0-16
	MOVQ    st+0(FP), AX
	MOVQ    n+8(FP), R14
	MOVQ    0(AX), SI
	MOVQ    8(AX), DI
	MOVQ    16(AX), R8
	MOVQ    24(AX), R9
	MOVQ    32(AX), R10
	MOVQ    40(AX), R11
	MOVQ    48(AX), R12
	MOVQ    56(AX), R13
	MOVSD   64(AX), X2
	MOVSD   72(AX), X5
	MOVSD   80(AX), X8
	MOVSD   88(AX), X11
	MOVSD   96(AX), X4
	MOVSD   104(AX), X7
	MOVSD   112(AX), X10
	MOVSD   120(AX), X13
	TESTQ   R14, R14
	JZ      done

loop:
	// chain 0, even step
	MOVQ    (SI), AX
	MOVQ    (R10), BX
	MOVSD   8(SI), X0
	SUBSD   8(R10), X0
	LEAQ    16(SI), CX
	LEAQ    16(R10), DX
	CMPQ    AX, BX
	CMOVQLS CX, SI
	CMOVQHI DX, R10
	CMOVQHI BX, AX
	MOVQ    AX, X3
	MOVAPS  X3, X1
	SUBSD   X2, X1
	MULSD   X0, X1
	MULSD   X0, X1
	ADDSD   X1, X4
	// chain 1, even step
	MOVQ    (DI), AX
	MOVQ    (R11), BX
	MOVSD   8(DI), X0
	SUBSD   8(R11), X0
	LEAQ    16(DI), CX
	LEAQ    16(R11), DX
	CMPQ    AX, BX
	CMOVQLS CX, DI
	CMOVQHI DX, R11
	CMOVQHI BX, AX
	MOVQ    AX, X6
	MOVAPS  X6, X1
	SUBSD   X5, X1
	MULSD   X0, X1
	MULSD   X0, X1
	ADDSD   X1, X7
	// chain 2, even step
	MOVQ    (R8), AX
	MOVQ    (R12), BX
	MOVSD   8(R8), X0
	SUBSD   8(R12), X0
	LEAQ    16(R8), CX
	LEAQ    16(R12), DX
	CMPQ    AX, BX
	CMOVQLS CX, R8
	CMOVQHI DX, R12
	CMOVQHI BX, AX
	MOVQ    AX, X9
	MOVAPS  X9, X1
	SUBSD   X8, X1
	MULSD   X0, X1
	MULSD   X0, X1
	ADDSD   X1, X10
	// chain 3, even step
	MOVQ    (R9), AX
	MOVQ    (R13), BX
	MOVSD   8(R9), X0
	SUBSD   8(R13), X0
	LEAQ    16(R9), CX
	LEAQ    16(R13), DX
	CMPQ    AX, BX
	CMOVQLS CX, R9
	CMOVQHI DX, R13
	CMOVQHI BX, AX
	MOVQ    AX, X12
	MOVAPS  X12, X1
	SUBSD   X11, X1
	MULSD   X0, X1
	MULSD   X0, X1
	ADDSD   X1, X13
	// chain 0, odd step
	MOVQ    (SI), AX
	MOVQ    (R10), BX
	MOVSD   8(SI), X0
	SUBSD   8(R10), X0
	LEAQ    16(SI), CX
	LEAQ    16(R10), DX
	CMPQ    AX, BX
	CMOVQLS CX, SI
	CMOVQHI DX, R10
	CMOVQHI BX, AX
	MOVQ    AX, X2
	MOVAPS  X2, X1
	SUBSD   X3, X1
	MULSD   X0, X1
	MULSD   X0, X1
	ADDSD   X1, X4
	// chain 1, odd step
	MOVQ    (DI), AX
	MOVQ    (R11), BX
	MOVSD   8(DI), X0
	SUBSD   8(R11), X0
	LEAQ    16(DI), CX
	LEAQ    16(R11), DX
	CMPQ    AX, BX
	CMOVQLS CX, DI
	CMOVQHI DX, R11
	CMOVQHI BX, AX
	MOVQ    AX, X5
	MOVAPS  X5, X1
	SUBSD   X6, X1
	MULSD   X0, X1
	MULSD   X0, X1
	ADDSD   X1, X7
	// chain 2, odd step
	MOVQ    (R8), AX
	MOVQ    (R12), BX
	MOVSD   8(R8), X0
	SUBSD   8(R12), X0
	LEAQ    16(R8), CX
	LEAQ    16(R12), DX
	CMPQ    AX, BX
	CMOVQLS CX, R8
	CMOVQHI DX, R12
	CMOVQHI BX, AX
	MOVQ    AX, X8
	MOVAPS  X8, X1
	SUBSD   X9, X1
	MULSD   X0, X1
	MULSD   X0, X1
	ADDSD   X1, X10
	// chain 3, odd step
	MOVQ    (R9), AX
	MOVQ    (R13), BX
	MOVSD   8(R9), X0
	SUBSD   8(R13), X0
	LEAQ    16(R9), CX
	LEAQ    16(R13), DX
	CMPQ    AX, BX
	CMOVQLS CX, R9
	CMOVQHI DX, R13
	CMOVQHI BX, AX
	MOVQ    AX, X11
	MOVAPS  X11, X1
	SUBSD   X12, X1
	MULSD   X0, X1
	MULSD   X0, X1
	ADDSD   X1, X13
	DECQ    R14
	JNZ     loop

done:
	MOVQ    st+0(FP), AX
	MOVQ    SI, 0(AX)
	MOVQ    DI, 8(AX)
	MOVQ    R8, 16(AX)
	MOVQ    R9, 24(AX)
	MOVQ    R10, 32(AX)
	MOVQ    R11, 40(AX)
	MOVQ    R12, 48(AX)
	MOVQ    R13, 56(AX)
	MOVSD   X2, 64(AX)
	MOVSD   X5, 72(AX)
	MOVSD   X8, 80(AX)
	MOVSD   X11, 88(AX)
	MOVSD   X4, 96(AX)
	MOVSD   X7, 104(AX)
	MOVSD   X10, 112(AX)
	MOVSD   X13, 120(AX)
	RET
