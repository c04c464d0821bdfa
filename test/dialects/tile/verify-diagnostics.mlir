// RUN: qkv-opt --split-input-file --verify-diagnostics %s

func.func @add_col_major(%a: !tile.tile<16x1xf32, ub, col_major>) {
  // expected-error @+1 {{lhs must be row_major}}
  %c = tile.add %a, %a : !tile.tile<16x1xf32, ub, col_major>
  func.return
}

// -----

func.func @mm_pair(%a: !tile.tile<16x16xf16, l0a>, %b: !tile.tile<16x16xf16, l0b>) {
  // expected-error @below {{the cube has no f16 x f16 -> f16 matmul}}
  %c = tile.matmul %a, %b : !tile.tile<16x16xf16, l0a>, !tile.tile<16x16xf16, l0b> -> !tile.tile<16x16xf16, l0c>
  func.return
}
