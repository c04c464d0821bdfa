// Every tile op and type prints in custom syntax, reads back, and survives a
// trip through the generic form unchanged.
// RUN: qkv-opt %s | qkv-opt | filecheck %s
// RUN: %roundtrip | filecheck %s
// RUN: qkv-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC

// CHECK-LABEL: func.func @vector_ops
// GENERIC-LABEL: "func.func"() <{sym_name = "vector_ops"
func.func @vector_ops(%x: memref<1x5120xbf16>, %w: memref<5120x1024xbf16>, %y: memref<1x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c1024 = arith.constant 1024 : index
  scf.parallel (%n0) = (%c0) to (%c1024) step (%c16) {
    // CHECK: tile.task vector "k_proj" {
    // GENERIC: "tile.task"() <{unit = #tile<unit vector>, task_name = "k_proj"}>
    tile.task vector "k_proj" {
      // CHECK: %x_blk = tile.load %x[%c0, %c0] : memref<1x5120xbf16> -> !tile.tile<1x1024xbf16, ub>
      %x_blk = tile.load %x[%c0, %c0] : memref<1x5120xbf16> -> !tile.tile<1x1024xbf16, ub>
      // CHECK: %x_f32 = tile.cast %x_blk : !tile.tile<1x1024xbf16, ub> -> !tile.tile<1x1024xf32, ub>
      %x_f32 = tile.cast %x_blk : !tile.tile<1x1024xbf16, ub> -> !tile.tile<1x1024xf32, ub>
      %w_blk = tile.load %w[%c0, %n0] : memref<5120x1024xbf16> -> !tile.tile<1024x16xbf16, ub>
      %w_f32 = tile.cast %w_blk : !tile.tile<1024x16xbf16, ub> -> !tile.tile<1024x16xf32, ub>
      // CHECK: %w_t = tile.transpose %w_f32 : !tile.tile<1024x16xf32, ub> -> !tile.tile<16x1024xf32, ub>
      %w_t = tile.transpose %w_f32 : !tile.tile<1024x16xf32, ub> -> !tile.tile<16x1024xf32, ub>
      // CHECK: %x_rows = tile.col_expand %x_f32 : !tile.tile<1x1024xf32, ub> -> !tile.tile<16x1024xf32, ub>
      %x_rows = tile.col_expand %x_f32 : !tile.tile<1x1024xf32, ub> -> !tile.tile<16x1024xf32, ub>
      // CHECK: %prod = tile.mul %w_t, %x_rows : !tile.tile<16x1024xf32, ub>
      %prod = tile.mul %w_t, %x_rows : !tile.tile<16x1024xf32, ub>
      // CHECK: %part = tile.row_sum %prod : !tile.tile<16x1024xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
      // GENERIC: "tile.row_sum"(%prod) : (!tile.tile<16x1024xf32, ub>) -> !tile.tile<16x1xf32, ub, col_major>
      %part = tile.row_sum %prod : !tile.tile<16x1024xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
      // CHECK: %part_row = tile.reshape %part : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
      %part_row = tile.reshape %part : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
      // CHECK: %zero = tile.full 0.000000e+00 : !tile.tile<1x16xf32, ub>
      // GENERIC: "tile.full"() <{value = 0.000000e+00 : f32}> : () -> !tile.tile<1x16xf32, ub>
      %zero = tile.full 0.0 : !tile.tile<1x16xf32, ub>
      // CHECK: %acc = tile.add %zero, %part_row : !tile.tile<1x16xf32, ub>
      %acc = tile.add %zero, %part_row : !tile.tile<1x16xf32, ub>
      // CHECK: %w_row = tile.extract %w_t[%c0, %c0] : !tile.tile<16x1024xf32, ub> -> !tile.tile<1x1024xf32, ub>
      %w_row = tile.extract %w_t[%c0, %c0] : !tile.tile<16x1024xf32, ub> -> !tile.tile<1x1024xf32, ub>
      // CHECK: %xw = tile.col_expand_mul %x_rows, %w_row : !tile.tile<16x1024xf32, ub>, !tile.tile<1x1024xf32, ub> -> !tile.tile<16x1024xf32, ub>
      %xw = tile.col_expand_mul %x_rows, %w_row : !tile.tile<16x1024xf32, ub>, !tile.tile<1x1024xf32, ub> -> !tile.tile<16x1024xf32, ub>
      %col = tile.row_sum %xw : !tile.tile<16x1024xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
      %acc16 = tile.full 0.0 : !tile.tile<16x16xf32, ub>
      // CHECK: %acc16_1 = tile.insert %col into %acc16[%c0, %c0] : !tile.tile<16x1xf32, ub, col_major> into !tile.tile<16x16xf32, ub>
      %acc16_1 = tile.insert %col into %acc16[%c0, %c0] : !tile.tile<16x1xf32, ub, col_major> into !tile.tile<16x16xf32, ub>
      %i = tile.full 7 : !tile.tile<1x8xi32, ub>
      // CHECK: %i = tile.full 7 : !tile.tile<1x8xi32, ub>
      // CHECK: tile.store %acc, %y[%c0, %n0] : !tile.tile<1x16xf32, ub> -> memref<1x1024xf32>
      tile.store %acc, %y[%c0, %n0] : !tile.tile<1x16xf32, ub> -> memref<1x1024xf32>
    }
    scf.reduce
  }
  func.return
}

// CHECK-LABEL: func.func @cube_ops
func.func @cube_ops(%x: memref<1x512xbf16>, %w: memref<512x256xbf16>, %y: memref<1x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %c256 = arith.constant 256 : index
  // CHECK: tile.task cube "q_proj" {
  tile.task cube "q_proj" {
    // CHECK: %a_l1 = tile.load %x[%c0, %c0] valid(%c1, %c256) : memref<1x512xbf16> -> !tile.tile<16x256xbf16, l1>
    // GENERIC: "tile.load"(%x, %c0, %c0, %c1, %c256) <{operandSegmentSizes = array<i32: 1, 2, 2>}>
    %a_l1 = tile.load %x[%c0, %c0] valid(%c1, %c256) : memref<1x512xbf16> -> !tile.tile<16x256xbf16, l1>
    %b_l1 = tile.load %w[%c0, %c0] : memref<512x256xbf16> -> !tile.tile<256x256xbf16, l1>
    // CHECK: %a = tile.move %a_l1[%c0, %c0] : !tile.tile<16x256xbf16, l1> -> !tile.tile<16x128xbf16, l0a>
    %a = tile.move %a_l1[%c0, %c0] : !tile.tile<16x256xbf16, l1> -> !tile.tile<16x128xbf16, l0a>
    // CHECK: %b = tile.move %b_l1[%c0, %c0] : !tile.tile<256x256xbf16, l1> -> !tile.tile<128x256xbf16, l0b>
    %b = tile.move %b_l1[%c0, %c0] : !tile.tile<256x256xbf16, l1> -> !tile.tile<128x256xbf16, l0b>
    // CHECK: %acc0 = tile.matmul %a, %b : !tile.tile<16x128xbf16, l0a>, !tile.tile<128x256xbf16, l0b> -> !tile.tile<16x256xf32, l0c>
    %acc0 = tile.matmul %a, %b : !tile.tile<16x128xbf16, l0a>, !tile.tile<128x256xbf16, l0b> -> !tile.tile<16x256xf32, l0c>
    %a2 = tile.move %a_l1[%c0, %c128] : !tile.tile<16x256xbf16, l1> -> !tile.tile<16x128xbf16, l0a>
    %b2 = tile.move %b_l1[%c128, %c0] : !tile.tile<256x256xbf16, l1> -> !tile.tile<128x256xbf16, l0b>
    // CHECK: %acc1 = tile.matmul_acc %acc0, %a2, %b2 : !tile.tile<16x256xf32, l0c>, !tile.tile<16x128xbf16, l0a>, !tile.tile<128x256xbf16, l0b> -> !tile.tile<16x256xf32, l0c>
    %acc1 = tile.matmul_acc %acc0, %a2, %b2 : !tile.tile<16x256xf32, l0c>, !tile.tile<16x128xbf16, l0a>, !tile.tile<128x256xbf16, l0b> -> !tile.tile<16x256xf32, l0c>
    // CHECK: tile.store %acc1, %y[%c0, %c0] valid(%c1, %c256) atomic add : !tile.tile<16x256xf32, l0c> -> memref<1x256xf32>
    // GENERIC: <{atomic = #tile<atomic add>, operandSegmentSizes = array<i32: 1, 1, 2, 2>}>
    tile.store %acc1, %y[%c0, %c0] valid(%c1, %c256) atomic add : !tile.tile<16x256xf32, l0c> -> memref<1x256xf32>
  }
  func.return
}

// CHECK-LABEL: func.func @types
// CHECK-SAME: !tile.tile<16x1xf16, ub, col_major>, %{{.*}}: !tile.tile<32x64xi8, l1>, %{{.*}}: !tile.tile<16x16xi32, l0c>
func.func @types(%a: !tile.tile<16x1xf16, ub, col_major>, %b: !tile.tile<32x64xi8, l1, row_major>, %c: !tile.tile<16x16xi32, l0c>) {
  func.return
}

// GM memrefs may carry the gm space attribute.
// CHECK-LABEL: func.func @gm_space
// CHECK: tile.load %x[%c0, %c0] : memref<1x64xf32, #tile<space gm>> -> !tile.tile<1x64xf32, ub>
func.func @gm_space(%x: memref<1x64xf32, #tile<space gm>>) {
  %c0 = arith.constant 0 : index
  tile.task vector "t" {
    %t = tile.load %x[%c0, %c0] : memref<1x64xf32, #tile<space gm>> -> !tile.tile<1x64xf32, ub>
  }
  func.return
}
