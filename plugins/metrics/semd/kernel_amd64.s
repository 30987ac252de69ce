// Four-chain SEMD sweep kernel for amd64 with AVX and FMA (called by
// sweepFast in kernel_amd64.go when the CPU has both). Its portable
// equivalent is sweepGo in kernel.go; the tests require both to give
// bit-identical results, so change them together. The eight steps of the
// loop body are the same block with the registers of each chain
// substituted (generated, then committed: keep them identical).

//go:build amd64 && !purego

#include "textflag.h"

// func sweep4(st *chains, n int)
//
// Advances the four sweep chains of st by 2n segments each. Register use:
// chain k has its A and B pointers in (SI, R10), (DI, R11), (R8, R12),
// (R9, R13); its previous breakpoint t and the new breakpoint c alternate
// between two X registers from one step to the next (so t needs no update),
// and its sum is in X4, X7, X10, X13. Per segment (13 instructions):
// compare the two breakpoints as integers (non-negative float64 bit
// patterns order like the values; an integer compare is on the
// loop-carried path, a float compare would lengthen it), take their
// minimum c with MINSD, advance the pointer of the smaller with a
// conditional move (no branch; A first on ties), and add
// ((c − t)·(ω_a − ω_b))·(ω_a − ω_b) to the chain's sum with one fused
// multiply-add.
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
	CMPQ    AX, (R10)
	MOVQ    AX, X3
	MINSD   (R10), X3
	MOVSD   8(SI), X0
	SUBSD   8(R10), X0
	LEAQ    16(SI), CX
	LEAQ    16(R10), DX
	CMOVQLS CX, SI
	CMOVQHI DX, R10
	VSUBSD  X2, X3, X1
	MULSD   X0, X1
	VFMADD231SD X0, X1, X4
	// chain 1, even step
	MOVQ    (DI), AX
	CMPQ    AX, (R11)
	MOVQ    AX, X6
	MINSD   (R11), X6
	MOVSD   8(DI), X0
	SUBSD   8(R11), X0
	LEAQ    16(DI), CX
	LEAQ    16(R11), DX
	CMOVQLS CX, DI
	CMOVQHI DX, R11
	VSUBSD  X5, X6, X1
	MULSD   X0, X1
	VFMADD231SD X0, X1, X7
	// chain 2, even step
	MOVQ    (R8), AX
	CMPQ    AX, (R12)
	MOVQ    AX, X9
	MINSD   (R12), X9
	MOVSD   8(R8), X0
	SUBSD   8(R12), X0
	LEAQ    16(R8), CX
	LEAQ    16(R12), DX
	CMOVQLS CX, R8
	CMOVQHI DX, R12
	VSUBSD  X8, X9, X1
	MULSD   X0, X1
	VFMADD231SD X0, X1, X10
	// chain 3, even step
	MOVQ    (R9), AX
	CMPQ    AX, (R13)
	MOVQ    AX, X12
	MINSD   (R13), X12
	MOVSD   8(R9), X0
	SUBSD   8(R13), X0
	LEAQ    16(R9), CX
	LEAQ    16(R13), DX
	CMOVQLS CX, R9
	CMOVQHI DX, R13
	VSUBSD  X11, X12, X1
	MULSD   X0, X1
	VFMADD231SD X0, X1, X13
	// chain 0, odd step
	MOVQ    (SI), AX
	CMPQ    AX, (R10)
	MOVQ    AX, X2
	MINSD   (R10), X2
	MOVSD   8(SI), X0
	SUBSD   8(R10), X0
	LEAQ    16(SI), CX
	LEAQ    16(R10), DX
	CMOVQLS CX, SI
	CMOVQHI DX, R10
	VSUBSD  X3, X2, X1
	MULSD   X0, X1
	VFMADD231SD X0, X1, X4
	// chain 1, odd step
	MOVQ    (DI), AX
	CMPQ    AX, (R11)
	MOVQ    AX, X5
	MINSD   (R11), X5
	MOVSD   8(DI), X0
	SUBSD   8(R11), X0
	LEAQ    16(DI), CX
	LEAQ    16(R11), DX
	CMOVQLS CX, DI
	CMOVQHI DX, R11
	VSUBSD  X6, X5, X1
	MULSD   X0, X1
	VFMADD231SD X0, X1, X7
	// chain 2, odd step
	MOVQ    (R8), AX
	CMPQ    AX, (R12)
	MOVQ    AX, X8
	MINSD   (R12), X8
	MOVSD   8(R8), X0
	SUBSD   8(R12), X0
	LEAQ    16(R8), CX
	LEAQ    16(R12), DX
	CMOVQLS CX, R8
	CMOVQHI DX, R12
	VSUBSD  X9, X8, X1
	MULSD   X0, X1
	VFMADD231SD X0, X1, X10
	// chain 3, odd step
	MOVQ    (R9), AX
	CMPQ    AX, (R13)
	MOVQ    AX, X11
	MINSD   (R13), X11
	MOVSD   8(R9), X0
	SUBSD   8(R13), X0
	LEAQ    16(R9), CX
	LEAQ    16(R13), DX
	CMOVQLS CX, R9
	CMOVQHI DX, R13
	VSUBSD  X12, X11, X1
	MULSD   X0, X1
	VFMADD231SD X0, X1, X13
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
