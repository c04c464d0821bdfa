// Invalid tile IR: each case fails its op verifier with a located error.
// RUN: qkv-opt --split-input-file --verify-diagnostics %s

func.func @load_into_l0a(%x: memref<16x16xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task cube "t" {
    // expected-error @+1 {{a loaded tile must live in ub or l1, got !tile.tile<16x16xbf16, l0a> in l0a}}
    %a = tile.load %x[%c0, %c0] : memref<16x16xbf16> -> !tile.tile<16x16xbf16, l0a>
  }
  func.return
}

// -----

func.func @store_from_l1(%t: !tile.tile<16x16xbf16, l1>, %y: memref<16x16xbf16>) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{a stored tile must live in ub or l0c}}
  tile.store %t, %y[%c0, %c0] : !tile.tile<16x16xbf16, l1> -> memref<16x16xbf16>
  func.return
}

// -----

func.func @move_from_ub(%t: !tile.tile<16x16xbf16, ub>) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{no on-chip move from ub to l0a on any target (moves: l0c -> ub, l1 -> l0a, l1 -> l0b, l1 -> ub, ub -> l1; other data go through GM with tile.store and tile.load)}}
  %a = tile.move %t[%c0, %c0] : !tile.tile<16x16xbf16, ub> -> !tile.tile<16x16xbf16, l0a>
  func.return
}

// -----

func.func @matmul_lhs_in_ub(%a: !tile.tile<16x16xbf16, ub>, %b: !tile.tile<16x16xbf16, l0b>) {
  // expected-error @+1 {{the left operand of a matmul must live in l0a}}
  %c = tile.matmul %a, %b : !tile.tile<16x16xbf16, ub>, !tile.tile<16x16xbf16, l0b> -> !tile.tile<16x16xf32, l0c>
  func.return
}

// -----

func.func @vector_op_in_l1(%a: !tile.tile<16x16xf32, l1>) {
  // expected-error @+1 {{lhs of a vector op must live in ub, got !tile.tile<16x16xf32, l1> in l1}}
  %c = tile.add %a, %a : !tile.tile<16x16xf32, l1>
  func.return
}

// -----

func.func @add_col_major(%a: !tile.tile<16x1xf32, ub, col_major>) {
  // expected-error @+1 {{lhs must be row_major, got !tile.tile<16x1xf32, ub, col_major>; elementwise vector ops read rows; reshape a row_sum result [R, 1] to [1, R] first}}
  %c = tile.add %a, %a : !tile.tile<16x1xf32, ub, col_major>
  func.return
}

// -----

func.func @matmul_k_mismatch(%a: !tile.tile<16x32xbf16, l0a>, %b: !tile.tile<16x16xbf16, l0b>) {
  // expected-error @+1 {{contraction extents differ: !tile.tile<16x32xbf16, l0a> x !tile.tile<16x16xbf16, l0b> (32 != 16)}}
  %c = tile.matmul %a, %b : !tile.tile<16x32xbf16, l0a>, !tile.tile<16x16xbf16, l0b> -> !tile.tile<16x16xf32, l0c>
  func.return
}

// -----

func.func @matmul_dtype_pair(%a: !tile.tile<16x16xbf16, l0a>, %b: !tile.tile<16x16xbf16, l0b>) {
  // expected-error @+1 {{the cube has no bf16 x bf16 -> bf16 matmul; legal pairs: bf16 -> f32, f16 -> f32, i8 -> i32, f32 -> f32}}
  %c = tile.matmul %a, %b : !tile.tile<16x16xbf16, l0a>, !tile.tile<16x16xbf16, l0b> -> !tile.tile<16x16xbf16, l0c>
  func.return
}

// -----

func.func @matmul_mixed_inputs(%a: !tile.tile<16x16xbf16, l0a>, %b: !tile.tile<16x16xf16, l0b>) {
  // expected-error @+1 {{matmul operands: element types differ (bf16 vs f16)}}
  %c = tile.matmul %a, %b : !tile.tile<16x16xbf16, l0a>, !tile.tile<16x16xf16, l0b> -> !tile.tile<16x16xf32, l0c>
  func.return
}

// -----

func.func @matmul_acc_type(%acc: !tile.tile<16x16xf32, l0c>, %a: !tile.tile<16x16xbf16, l0a>, %b: !tile.tile<16x16xbf16, l0b>) {
  // expected-error @+1 {{result !tile.tile<16x32xf32, l0c> must have the accumulator's type !tile.tile<16x16xf32, l0c>}}
  %c = tile.matmul_acc %acc, %a, %b : !tile.tile<16x16xf32, l0c>, !tile.tile<16x16xbf16, l0a>, !tile.tile<16x16xbf16, l0b> -> !tile.tile<16x32xf32, l0c>
  func.return
}

// -----

func.func @transpose_shape(%a: !tile.tile<1024x16xf32, ub>) {
  // expected-error @+1 {{transpose of !tile.tile<1024x16xf32, ub> must be 16x1024, got !tile.tile<1024x16xf32, ub>}}
  %t = tile.transpose %a : !tile.tile<1024x16xf32, ub> -> !tile.tile<1024x16xf32, ub>
  func.return
}

// -----

func.func @row_sum_row_major(%a: !tile.tile<16x64xf32, ub>) {
  // expected-error @+1 {{row_sum of !tile.tile<16x64xf32, ub> produces a col_major [16, 1] tile, got !tile.tile<16x1xf32, ub>}}
  %s = tile.row_sum %a : !tile.tile<16x64xf32, ub> -> !tile.tile<16x1xf32, ub>
  func.return
}

// -----

func.func @row_sum_dtype(%a: !tile.tile<16x64xf32, ub>) {
  // expected-error @+1 {{row_sum keeps the element type: element types differ (f32 vs f16)}}
  %s = tile.row_sum %a : !tile.tile<16x64xf32, ub> -> !tile.tile<16x1xf16, ub, col_major>
  func.return
}

// -----

func.func @reshape_count(%a: !tile.tile<16x1xf32, ub, col_major>) {
  // expected-error @+1 {{a reshape keeps the element count: !tile.tile<16x1xf32, ub, col_major> has 16, !tile.tile<1x8xf32, ub> has 8}}
  %r = tile.reshape %a : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x8xf32, ub>
  func.return
}

// -----

func.func @reshape_reorders(%a: !tile.tile<16x8xf32, ub, col_major>) {
  // expected-error @+1 {{would reorder elements in memory}}
  %r = tile.reshape %a : !tile.tile<16x8xf32, ub, col_major> -> !tile.tile<8x16xf32, ub>
  func.return
}

// -----

func.func @cast_shape(%a: !tile.tile<16x16xbf16, ub>) {
  // expected-error @+1 {{a cast keeps shape and layout: !tile.tile<16x16xbf16, ub> -> !tile.tile<16x32xf32, ub>}}
  %c = tile.cast %a : !tile.tile<16x16xbf16, ub> -> !tile.tile<16x32xf32, ub>
  func.return
}

// -----

func.func @col_expand_source(%a: !tile.tile<2x64xf32, ub>) {
  // expected-error @+1 {{col_expand broadcasts a [1, 64] row into !tile.tile<16x64xf32, ub>, got source !tile.tile<2x64xf32, ub>}}
  %c = tile.col_expand %a : !tile.tile<2x64xf32, ub> -> !tile.tile<16x64xf32, ub>
  func.return
}

// -----

func.func @col_expand_mul_row(%a: !tile.tile<16x64xf32, ub>, %r: !tile.tile<1x32xf32, ub>) {
  // expected-error @+1 {{rhs must be a [1, 64] row for lhs !tile.tile<16x64xf32, ub>, got !tile.tile<1x32xf32, ub>}}
  %c = tile.col_expand_mul %a, %r : !tile.tile<16x64xf32, ub>, !tile.tile<1x32xf32, ub> -> !tile.tile<16x64xf32, ub>
  func.return
}

// -----

func.func @full_type() {
  // expected-error @+1 {{fill value 1.5 is not an integer, the tile holds i32}}
  %f = tile.full 1.5 : !tile.tile<1x8xi32, ub>
  func.return
}

// -----

func.func @load_dtype(%x: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{element type of !tile.tile<16x16xbf16, ub> differs from the memref's f32; convert with tile.cast on chip}}
  %a = tile.load %x[%c0, %c0] : memref<16x16xf32> -> !tile.tile<16x16xbf16, ub>
  func.return
}

// -----

func.func @load_too_big(%x: memref<1x64xf32>) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{tile !tile.tile<16x64xf32, ub> is larger than memref<1x64xf32> along axis 0 (16 > 1); give 'valid' extents for a partial tile}}
  %a = tile.load %x[%c0, %c0] : memref<1x64xf32> -> !tile.tile<16x64xf32, ub>
  func.return
}

// -----

func.func @load_offsets(%x: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{expected 2 offsets (row, column) into the memref, got 1}}
  %a = tile.load %x[%c0] : memref<16x16xf32> -> !tile.tile<16x16xf32, ub>
  func.return
}

// -----

func.func @load_rank(%x: memref<2x16x16xf32>) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{source must be a 2-D memref, got rank 3}}
  %a = tile.load %x[%c0, %c0] : memref<2x16x16xf32> -> !tile.tile<16x16xf32, ub>
  func.return
}

// -----

func.func @nested_task() {
  tile.task vector "outer" {
    // expected-error @+1 {{tasks do not nest}}
    tile.task vector "inner" {
    }
  }
  func.return
}

// -----

func.func @mte_task() {
  // expected-error @+1 {{a task runs on a core: unit must be 'cube' (AIC) or 'vector' (AIV)}}
  tile.task mte "t" {
  }
  func.return
}

// -----

func.func @insert_too_big(%s: !tile.tile<16x2xf32, ub>, %d: !tile.tile<16x1xf32, ub>) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{inserted !tile.tile<16x2xf32, ub> is larger than !tile.tile<16x1xf32, ub>}}
  %r = tile.insert %s into %d[%c0, %c0] : !tile.tile<16x2xf32, ub> into !tile.tile<16x1xf32, ub>
  func.return
}

// -----

func.func @extract_too_big(%s: !tile.tile<4x64xf32, ub>) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{extracted !tile.tile<1x128xf32, ub> is larger than !tile.tile<4x64xf32, ub>}}
  %r = tile.extract %s[%c0, %c0] : !tile.tile<4x64xf32, ub> -> !tile.tile<1x128xf32, ub>
  func.return
}
