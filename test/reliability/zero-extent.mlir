// A matmul with M, N or K = 0: C += A * B leaves C unchanged, so both lowerings
// erase it with a remark (a tile cannot have a zero dimension; this used to be
// "internal error: VerifyException: tile dimensions must be positive" from
// aiv-rowsum and a tile.load error from cube-matmul).  A fill before it stays.
// RUN: qkv-opt -p aiv-rowsum,cube-matmul,check-target --verify-diagnostics %s
// RUN: qkv-opt -p cube-matmul,aiv-rowsum --verify-diagnostics %s
// RUN: qkv-opt -p aiv-rowsum,cube-matmul %s -o %t.mlir 2> %t.err
// RUN: filecheck %s --input-file %t.mlir
// RUN: qkv-run %t.mlir --all-entries --reference %s | filecheck %s --check-prefix=EXEC
// aiv-rowsum alone erases what it would lower, and leaves the integer matmul.
// RUN: qkv-opt --aiv-rowsum %s 2>&1 >/dev/null | filecheck %s --check-prefix=AIV
// RUN: qkv-opt --aiv-rowsum %s 2>/dev/null | filecheck %s --check-prefix=AIV-IR

// CHECK-LABEL: func.func @m0
// CHECK-NEXT:    func.return
// EXEC-DAG: @m0: passed against
// AIV: zero-extent.mlir:[[# @LINE + 3]]:3: remark: 'linalg.matmul' op [0x64xbf16] x [64x32xbf16] -> [0x32xf32] has M = 0: C += A * B leaves C unchanged, so the matmul is erased
func.func @m0(%x: memref<0x64xbf16>, %w: memref<64x32xbf16>, %y: memref<0x32xf32>) {
  // expected-remark @+1 {{[0x64xbf16] x [64x32xbf16] -> [0x32xf32] has M = 0: C += A * B leaves C unchanged, so the matmul is erased}}
  linalg.matmul ins(%x, %w : memref<0x64xbf16>, memref<64x32xbf16>) outs(%y : memref<0x32xf32>)
  return
}

// CHECK-LABEL: func.func @n0
// CHECK-NEXT:    func.return
// EXEC-DAG: @n0: passed against
func.func @n0(%x: memref<4x64xbf16>, %w: memref<64x0xbf16>, %y: memref<4x0xf32>) {
  // expected-remark @+1 {{has N = 0}}
  linalg.matmul ins(%x, %w : memref<4x64xbf16>, memref<64x0xbf16>) outs(%y : memref<4x0xf32>)
  return
}

// K = 0 adds an empty sum: C keeps the fill (1.5 everywhere) or its initial value.
// CHECK-LABEL: func.func @k0_fill
// CHECK:         linalg.fill
// CHECK-NOT:     linalg.matmul
// CHECK:         func.return
// EXEC-DAG: @k0_fill: passed against
func.func @k0_fill(%x: memref<4x0xf16>, %w: memref<0x32xf16>, %y: memref<4x32xf32>) {
  %cst = arith.constant 1.5 : f32
  linalg.fill ins(%cst : f32) outs(%y : memref<4x32xf32>)
  // expected-remark @+1 {{[4x0xf16] x [0x32xf16] -> [4x32xf32] has K = 0}}
  linalg.matmul ins(%x, %w : memref<4x0xf16>, memref<0x32xf16>) outs(%y : memref<4x32xf32>)
  return
}

// CHECK-LABEL: func.func @mnk0
// CHECK-NEXT:    func.return
// EXEC-DAG: @mnk0: passed against
func.func @mnk0(%x: memref<0x0xf32>, %w: memref<0x0xf32>, %y: memref<0x0xf32>) {
  // expected-remark @+1 {{has M = 0 and N = 0 and K = 0}}
  linalg.matmul ins(%x, %w : memref<0x0xf32>, memref<0x0xf32>) outs(%y : memref<0x0xf32>)
  return
}

// Forced onto the vector unit, or an accumulator type the cube cannot store:
// nothing is computed, so nothing is rejected.
// CHECK-LABEL: func.func @vector_m0
// CHECK-NEXT:    func.return
// EXEC-DAG: @vector_m0: passed against
func.func @vector_m0(%x: memref<0x5120xbf16>, %w: memref<5120x1024xbf16>, %y: memref<0x1024xf32>) {
  // expected-remark @+1 {{has M = 0}}
  linalg.matmul {tile.unit = "vector"} ins(%x, %w : memref<0x5120xbf16>, memref<5120x1024xbf16>) outs(%y : memref<0x1024xf32>)
  return
}

// CHECK-LABEL: func.func @f16_acc_n0
// CHECK-NEXT:    func.return
// EXEC-DAG: @f16_acc_n0: passed against
func.func @f16_acc_n0(%x: memref<20x64xf16>, %w: memref<64x0xf16>, %y: memref<20x0xf16>) {
  // expected-remark @+1 {{has N = 0}}
  linalg.matmul ins(%x, %w : memref<20x64xf16>, memref<64x0xf16>) outs(%y : memref<20x0xf16>)
  return
}

// AIV-IR-LABEL: func.func @i8_m0
// AIV-IR-NEXT:    linalg.matmul
// CHECK-LABEL:  func.func @i8_m0
// CHECK-NEXT:     func.return
// EXEC-DAG: @i8_m0: passed against
func.func @i8_m0(%x: memref<0x64xi8>, %w: memref<64x32xi8>, %y: memref<0x32xi32>) {
  // expected-remark @+1 {{[0x64xi8] x [64x32xi8] -> [0x32xi32] has M = 0}}
  linalg.matmul ins(%x, %w : memref<0x64xi8>, memref<64x32xi8>) outs(%y : memref<0x32xi32>)
  return
}
// AIV-NOT: i8
