// Unknown element types and memory spaces: located errors, never a traceback.
// Already covered elsewhere: unknown tile spaces and layouts, 0-sized, 3-D,
// dynamic and GM tiles (test/dialects/tile/invalid-types.mlir); dtypes the
// cube or the vector unit cannot compute and non-GM operands
// (test/passes/{cube-matmul,aiv-rowsum}-invalid.mlir).
// RUN: qkv-opt --split-input-file --verify-diagnostics %s
// RUN: %python %S/Inputs/expect.py 1 qkv-opt --split-input-file --cube-matmul %s | filecheck %s --check-prefix=EXIT
// EXIT: exit 1
// EXIT-NOT: Traceback
// RUN: %python %S/Inputs/expect.py 1 qkv-run %S/Inputs/f8-proj.mlir | filecheck %s --check-prefix=F8
// F8: f8-proj.mlir:2:1: error: 'func.func' op argument #0 is memref<1x64xf8E4M3FN>: no run-time representation for element type f8E4M3FN; qkv-run cannot make its inputs
// RUN: %python %S/Inputs/expect.py 1 qkv-run %S/Inputs/i128-arg.mlir | filecheck %s --check-prefix=I128
// I128: i128-arg.mlir:1:1: error: 'func.func' op argument #0 is memref<4xi128>: i128 is wider than 64 bits; qkv-run cannot make its inputs
// The bracketed memory-space spelling of DESIGN.md parses (and prints opaque).
// RUN: qkv-opt --cube-matmul %S/Inputs/gm-space.mlir | filecheck %s --check-prefix=GM
// GM: tile.load %x[%c0, %s0] valid(%c1, %c64) : memref<1x64xbf16, #tile<space gm>> -> !tile.tile<16x64xbf16, l1>

// expected-error @+1 {{unknown element type 'bf17' (expected a builtin type such as bf16, f16, f32, i8 or i32)}}
func.func @bf17(%x: memref<1x64xbf17>) {
  return
}

// -----

// expected-error @+1 {{unknown element type 'f99'}}
func.func @f99(%x: memref<1x64xf99>) {
  return
}

// -----

func.func @tile_bf17(%y: memref<16x16xf32>) {
  tile.task vector "t" {
    // expected-error @+1 {{unknown element type 'bf17'}}
    %t = tile.full 0.0 : !tile.tile<16x16xbf17, ub>
  }
  return
}

// -----

func.func @tile_index(%y: memref<16x16xf32>) {
  tile.task vector "t" {
    // expected-error @+1 {{tile element type must be an integer or float type, got index}}
    %t = tile.full 0.0 : !tile.tile<16x16xindex, ub>
  }
  return
}

// -----

// xDSL's linalg.matmul body builder used to fail here with a bare AssertionError.
func.func @index_matmul(%x: memref<1x64xindex>, %w: memref<64x32xindex>, %y: memref<1x32xindex>) {
  // expected-error @+1 {{linalg.matmul on index elements: its body (C += A * B) is built for integer and floating-point element types only}}
  linalg.matmul ins(%x, %w : memref<1x64xindex>, memref<64x32xindex>) outs(%y : memref<1x32xindex>)
  return
}

// -----

func.func @complex_matmul(%x: memref<1x64xcomplex<f32>>, %w: memref<64x32xcomplex<f32>>, %y: memref<1x32xcomplex<f32>>) {
  // expected-error @+1 {{linalg.matmul on complex<f32> elements}}
  linalg.matmul ins(%x, %w : memref<1x64xcomplex<f32>>, memref<64x32xcomplex<f32>>) outs(%y : memref<1x32xcomplex<f32>>)
  return
}

// -----

// expected-error @+1 {{Expected `gm`, `ub`, `l1`, `l0a`, `l0b`, or `l0c`.}}
func.func @memref_space(%x: memref<1x64xf32, #tile.space<hbm>>) {
  return
}

// -----

// expected-error @+1 {{Expected `gm`, `ub`, `l1`, `l0a`, `l0b`, or `l0c`.}}
func.func @memref_opaque_space(%x: memref<1x64xf32, #tile<space hbm>>) {
  return
}

// -----

// expected-error @+1 {{Expected '>' after the memory space}}
func.func @memref_space_unclosed(%x: memref<1x64xf32, #tile.space<gm, 3>>) {
  return
}
