// The default pipeline on one function with Q, K and V (Qwen3-14B, batch 1):
// Q, marked tile.unit = "cube", goes to the cube; K and V (M = 1 <= max-batch)
// go to the vector unit; the result passes check-target and computes what the
// input computes.
// RUN: qkv-opt -p aiv-rowsum,cube-matmul %examples/qwen3_14b_qkv_proj.mlir -o %t
// RUN: filecheck %s < %t
// RUN: qkv-opt --check-target %t -o /dev/null
// RUN: qkv-run %t --reference %examples/qwen3_14b_qkv_proj.mlir | filecheck %s --check-prefix=RESULT
// cube-matmul first takes every matmul not marked tile.unit = "vector": all three.
// RUN: qkv-opt -p cube-matmul,aiv-rowsum %examples/qwen3_14b_qkv_proj.mlir | filecheck %s --check-prefix=CUBEFIRST
// As flags, in command-line order.
// RUN: qkv-opt --aiv-rowsum --cube-matmul %examples/qwen3_14b_qkv_proj.mlir | filecheck %s

// CHECK-LABEL: func.func @qkv_proj(
// CHECK-NOT:     linalg.matmul
// One set of index constants for the function.
// CHECK:         %c0 = arith.constant 0 : index
// CHECK-NOT:     %c0_1 = arith.constant
// Q: 20 N-tiles x 5 split-K slices on the cube.
// CHECK:         scf.parallel (%n0, %s0) = (%c0, %c0) to (%c5120, %c5120) step (%c256, %c1024) {
// CHECK-NEXT:      tile.task cube "qkv_proj_0" {
// CHECK:             tile.load %x[%c0, %s0] valid(%c1, %c256) : memref<1x5120xbf16> -> !tile.tile<16x256xbf16, l1>
// CHECK:             tile.matmul %a_l0, %b_l0
// CHECK:             tile.store %acc_s, %q[%c0, %n0] valid(%c1, %c256) atomic add : !tile.tile<16x256xf32, l0c> -> memref<1x5120xf32>
// K and V: 64 vector tasks each.
// CHECK:         scf.parallel (%[[N1:.*]]) = (%c0) to (%c1024) step (%c16) {
// CHECK-NEXT:      tile.task vector "qkv_proj_1" {
// CHECK:             tile.load %wk[%{{.*}}, %[[N1]]] : memref<5120x1024xbf16> -> !tile.tile<1024x16xbf16, ub>
// CHECK:             tile.row_sum
// CHECK:           tile.store %{{.*}}, %k[%c0, %[[N1]]] : !tile.tile<1x16xf32, ub> -> memref<1x1024xf32>
// CHECK:         scf.parallel (%[[N2:.*]]) = (%c0) to (%c1024) step (%c16) {
// CHECK-NEXT:      tile.task vector "qkv_proj_2" {
// CHECK:             tile.load %wv[%{{.*}}, %[[N2]]] : memref<5120x1024xbf16> -> !tile.tile<1024x16xbf16, ub>
// CHECK:           tile.store %{{.*}}, %v[%c0, %[[N2]]] : !tile.tile<1x16xf32, ub> -> memref<1x1024xf32>
// CHECK:         func.return

// RESULT: @qkv_proj: passed against

// CUBEFIRST-LABEL: func.func @qkv_proj(
// CUBEFIRST:         tile.task cube "qkv_proj_0"
// CUBEFIRST:         tile.task cube "qkv_proj_1"
// CUBEFIRST:         tile.task cube "qkv_proj_2"
// CUBEFIRST-NOT:     tile.task vector
