// qkv-opt and upstream mlir-opt-22 exchange IR: our generic output is accepted
// by mlir-opt, and mlir-opt's generic and custom output reads back in qkv-opt.
// REQUIRES: mlir-opt
// RUN: qkv-opt %s --print-op-generic | mlir-opt-22 --allow-unregistered-dialect --verify-each | qkv-opt | filecheck %s
// RUN: mlir-opt-22 --mlir-print-op-generic %s | qkv-opt | filecheck %s
// RUN: mlir-opt-22 %s | qkv-opt | filecheck %s
// RUN: qkv-opt %s | mlir-opt-22 --verify-each | filecheck %s

// CHECK-LABEL: func.func @k_proj
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : memref<1x5120xbf16>, memref<5120x1024xbf16>) outs(%{{.*}} : memref<1x1024xf32>)
func.func @k_proj(%x: memref<1x5120xbf16>, %w: memref<5120x1024xbf16>, %y: memref<1x1024xf32>) {
  linalg.matmul ins(%x, %w : memref<1x5120xbf16>, memref<5120x1024xbf16>) outs(%y : memref<1x1024xf32>)
  return
}

// CHECK-LABEL: func.func @f16
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : memref<16x4096xf16>, memref<4096x1024xf16>) outs(%{{.*}} : memref<16x1024xf32>)
func.func @f16(%x: memref<16x4096xf16>, %w: memref<4096x1024xf16>, %y: memref<16x1024xf32>) {
  linalg.matmul ins(%x, %w : memref<16x4096xf16>, memref<4096x1024xf16>) outs(%y : memref<16x1024xf32>)
  return
}

// CHECK-LABEL: func.func @par
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
func.func @par(%y: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %cst = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    memref.store %cst, %y[%i] : memref<4xf32>
  }
  return
}
