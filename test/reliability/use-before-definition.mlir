// A value used before its definition (xDSL's parser accepts the forward
// reference and its verifier has no dominance check): a located error with a
// note at the definition, as mlir-opt's "operand #0 does not dominate this use".
// It used to reach qkv-run as an unset value (an internal error).
// RUN: qkv-opt --split-input-file --verify-diagnostics %s
// RUN: %python %S/Inputs/expect.py 1 qkv-run %S/Inputs/regressions/use-before-definition.mlir | filecheck %s
// CHECK: use-before-definition.mlir:45:23: error: 'tile.reshape' op operand #0 does not dominate this use: it is defined after this op, or in a region that does not enclose it
// CHECK: use-before-definition.mlir:54:17: note: the operand is defined here

func.func @later(%y: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{'memref.store' op operand #0 does not dominate this use}}
  memref.store %v, %y[%c0] : memref<4xf32>
  // expected-note @+1 {{the operand is defined here}}
  %v = arith.constant 1.0 : f32
  return
}

// -----

func.func @in_a_loop(%y: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    // expected-error @+1 {{operand #0 does not dominate this use}}
    memref.store %v, %y[%i] : memref<4xf32>
  }
  // expected-note @+1 {{the operand is defined here}}
  %v = arith.constant 1.0 : f32
  return
}

// -----

func.func @in_a_task(%x: memref<16x16xf32>, %y: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.task vector "t" {
    // expected-error @+1 {{'tile.store' op operand #0 does not dominate this use}}
    tile.store %t, %y[%c0, %c0] : !tile.tile<16x16xf32, ub> -> memref<16x16xf32>
    // expected-note @+1 {{the operand is defined here}}
    %t = tile.load %x[%c0, %c0] : memref<16x16xf32> -> !tile.tile<16x16xf32, ub>
  }
  return
}
