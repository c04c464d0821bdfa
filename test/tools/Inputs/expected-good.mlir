func.func @f(%a: !tile.tile<16x1xf32, ub, col_major>) {
  // expected-error @+1 {{lhs must be row_major}}
  %c = tile.add %a, %a : !tile.tile<16x1xf32, ub, col_major>
  func.return
}
