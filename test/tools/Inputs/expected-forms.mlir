func.func @below(%a: !tile.tile<16x1xf32, ub, col_major>) {
  // expected-error @below {{lhs must be row_major}}
  %c = tile.add %a, %a : !tile.tile<16x1xf32, ub, col_major>
  func.return
}

// -----

// expected-error @+2 {{lhs must be row_major}}
func.func @plus(%a: !tile.tile<16x1xf32, ub, col_major>) {
  %c = tile.add %a, %a : !tile.tile<16x1xf32, ub, col_major>
  func.return
}

// -----

func.func @minus(%a: !tile.tile<16x1xf32, ub, col_major>) {
  %c = tile.add %a, %a : !tile.tile<16x1xf32, ub, col_major>
  // expected-error @-1 {{lhs must be row_major}}
  func.return
}

// -----

func.func @same_line(%a: !tile.tile<16x1xf32, ub, col_major>) {
  %c = tile.add %a, %a : !tile.tile<16x1xf32, ub, col_major> // expected-error {{row_major}}
  func.return
}

// -----

func.func @above(%a: !tile.tile<16x1xf32, ub, col_major>) {
  %c = tile.add %a, %a : !tile.tile<16x1xf32, ub, col_major>
  // expected-error @above {{row_major}}
  func.return
}

// -----

// Two functions, one error each: both are reported.
func.func @one(%a: !tile.tile<16x1xf32, ub, col_major>) {
  %c = tile.add %a, %a : !tile.tile<16x1xf32, ub, col_major> // expected-error {{row_major}}
  func.return
}
func.func @two(%a: !tile.tile<16x1xf32, ub, col_major>) {
  %c = tile.add %a, %a : !tile.tile<16x1xf32, ub, col_major> // expected-error {{row_major}}
  func.return
}
