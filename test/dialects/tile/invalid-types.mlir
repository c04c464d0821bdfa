// Malformed tile types are parse errors that point at the type.
// RUN: qkv-opt --split-input-file --verify-diagnostics %s

// expected-error @+1 {{unknown memory space 'hbm'; expected one of ub, l1, l0a, l0b, l0c}}
func.func @space(%a: !tile.tile<16x16xf32, hbm>) {
  func.return
}

// -----

// expected-error @+1 {{unknown tile layout 'diagonal'; expected row_major or col_major}}
func.func @layout(%a: !tile.tile<16x16xf32, ub, diagonal>) {
  func.return
}

// -----

// expected-error @+1 {{tile dimensions must be positive, got 0 in a 0x16 tile}}
func.func @zero(%a: !tile.tile<0x16xf32, ub>) {
  func.return
}

// -----

// expected-error @+1 {{a tile is 2-D, got 3 dimension(s) (2x16x16)}}
func.func @rank(%a: !tile.tile<2x16x16xf32, ub>) {
  func.return
}

// -----

// expected-error @+1 {{tile dimensions must be static}}
func.func @dynamic(%a: !tile.tile<?x16xf32, ub>) {
  func.return
}

// -----

// expected-error @+1 {{a tile lives on chip (ub, l1, l0a, l0b, l0c); GM data are memrefs}}
func.func @gm_tile(%a: !tile.tile<16x16xf32, gm>) {
  func.return
}

// -----

// expected-error @+1 {{tile element type must be an integer or float type, got index}}
func.func @elem(%a: !tile.tile<16x16xindex, ub>) {
  func.return
}
