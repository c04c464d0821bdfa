// RUN: qkv-opt --check-target --split-input-file --verify-diagnostics %s
// RUN: not qkv-opt --check-target --split-input-file %s 2>&1 | filecheck %s --check-prefix=EXIT

// Every rule of check-target, broken once.  The passing twin of each case is in
// check-target.mlir.
// EXIT: error:

// ---- alignment: a row-major ub tile's row is a multiple of 32 B --------------

func.func @row_bf16(%wk: memref<5120x1024xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task vector "k_proj" {
    // expected-error @+1 {{row of tile<1024x8xbf16> in ub is 16 B, not a multiple of the 32-byte block; the contiguous axis (8 columns) must be a multiple of 16 bf16 elements}}
    %w = tile.load %wk[%c0, %c0] : memref<5120x1024xbf16> -> !tile.tile<1024x8xbf16, ub>
  }
  func.return
}

// -----

// The lowering names the option behind the contiguous axis with tile.origin.
func.func @row_bf16_nv(%wk: memref<5120x1024xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task vector "k_proj" {
    // expected-error @+1 {{row of tile<1024x8xbf16> in ub is 16 B, not a multiple of the 32-byte block; nv must be a multiple of 16 for bf16}}
    %w = tile.load %wk[%c0, %c0] {tile.origin = "nv"} : memref<5120x1024xbf16> -> !tile.tile<1024x8xbf16, ub>
  }
  func.return
}

// -----

// tile.origin may name the options of [rows, columns]; "" for an axis no option sets.
func.func @row_bf16_kc(%x: memref<1x5120xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task vector "k_proj" {
    // expected-error @+1 {{row of tile<1x1000xbf16> in ub is 2000 B, not a multiple of the 32-byte block; kc must be a multiple of 16 for bf16}}
    %xb = tile.load %x[%c0, %c0] {tile.origin = ["", "kc"]} : memref<1x5120xbf16> -> !tile.tile<1x1000xbf16, ub>
  }
  func.return
}

// -----

// A col_major tile's contiguous axis is its rows: a [4, 1] f32 row_sum is 16 B.
func.func @col_major_f32(%x: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.task vector "t" {
    %a = tile.load %x[%c0, %c0] : memref<4x64xf32> -> !tile.tile<4x64xf32, ub>
    // expected-error @+1 {{column of tile<4x1xf32, col_major> in ub is 16 B, not a multiple of the 32-byte block; the contiguous axis (4 rows) must be a multiple of 8 f32 elements}}
    %s = tile.row_sum %a : !tile.tile<4x64xf32, ub> -> !tile.tile<4x1xf32, ub, col_major>
  }
  func.return
}

// -----

// The rule holds for l1 too.
func.func @row_l1(%b: memref<256x256xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task cube "c" {
    // expected-error @+1 {{row of tile<16x8xbf16> in l1 is 16 B}}
    %t = tile.load %b[%c0, %c0] : memref<256x256xbf16> -> !tile.tile<16x8xbf16, l1>
  }
  func.return
}

// -----

// Every violation of a module is reported, each at its op; one misaligned type is
// reported once per task (at its first value).
func.func @several(%wk: memref<5120x1024xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task vector "k_proj" {
    // expected-error @+1 {{row of tile<64x4xbf16> in ub is 8 B}}
    %w = tile.load %wk[%c0, %c0] : memref<5120x1024xbf16> -> !tile.tile<64x4xbf16, ub>
    // expected-error @+1 {{row of tile<64x4xf32> in ub is 16 B}}
    %f = tile.cast %w : !tile.tile<64x4xbf16, ub> -> !tile.tile<64x4xf32, ub>
    %g = tile.mul %f, %f : !tile.tile<64x4xf32, ub>
  }
  func.return
}

// -----

// ---- alignment: on-chip sub-tile offsets are 32-B aligned --------------------

func.func @extract_offset(%x: memref<16x512xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  tile.task vector "t" {
    %a = tile.load %x[%c0, %c0] : memref<16x512xf32> -> !tile.tile<16x512xf32, ub>
    // expected-error @+1 {{tile<1x256xf32> starts at byte 16 of its ub tile tile<16x512xf32>, not a multiple of the 32-byte block}}
    %r = tile.extract %a[%c0, %c4] : !tile.tile<16x512xf32, ub> -> !tile.tile<1x256xf32, ub>
  }
  func.return
}

// -----

// An offset from a loop with step 4 f32 is only known to be a multiple of 16 B.
func.func @extract_loop_offset(%x: memref<16x512xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c256 = arith.constant 256 : index
  tile.task vector "t" {
    %a = tile.load %x[%c0, %c0] : memref<16x512xf32> -> !tile.tile<16x512xf32, ub>
    scf.for %j = %c0 to %c256 step %c4 {
      // expected-error @+1 {{starts at an offset known only to be a multiple of 16 B in its ub tile}}
      %r = tile.extract %a[%c0, %j] : !tile.tile<16x512xf32, ub> -> !tile.tile<1x256xf32, ub>
    }
  }
  func.return
}

// -----

func.func @move_offset(%b: memref<256x256xbf16>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  tile.task cube "c" {
    %l1 = tile.load %b[%c0, %c0] : memref<256x256xbf16> -> !tile.tile<256x256xbf16, l1>
    // expected-error @+1 {{tile<128x128xbf16> starts at byte 16 of its l1 tile tile<256x256xbf16>}}
    %l0 = tile.move %l1[%c0, %c8] : !tile.tile<256x256xbf16, l1> -> !tile.tile<128x128xbf16, l0b>
  }
  func.return
}

// -----

// ---- cube: M % 16, fractal alignment, extents --------------------------------

func.func @cube_m(%a: memref<1x256xbf16>, %b: memref<256x256xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task cube "c" {
    %a1 = tile.load %a[%c0, %c0] : memref<1x256xbf16> -> !tile.tile<1x256xbf16, l1>
    %b1 = tile.load %b[%c0, %c0] : memref<256x256xbf16> -> !tile.tile<256x256xbf16, l1>
    // expected-error @+1 {{cube M (rows of tile<1x256xbf16> in l0a) is 1, not a multiple of 16; pad M to 16 rows}}
    %a0 = tile.move %a1[%c0, %c0] : !tile.tile<1x256xbf16, l1> -> !tile.tile<1x256xbf16, l0a>
    %b0 = tile.move %b1[%c0, %c0] : !tile.tile<256x256xbf16, l1> -> !tile.tile<256x128xbf16, l0b>
    // expected-error @+1 {{cube M (rows of tile<1x128xf32> in l0c) is 1, not a multiple of 16}}
    %acc = tile.matmul %a0, %b0 : !tile.tile<1x256xbf16, l0a>, !tile.tile<256x128xbf16, l0b> -> !tile.tile<1x128xf32, l0c>
  }
  func.return
}

// -----

func.func @fractal_l0b(%b: memref<256x256xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task cube "c" {
    %b1 = tile.load %b[%c0, %c0] : memref<256x256xbf16> -> !tile.tile<256x256xbf16, l1>
    // expected-error @+1 {{columns of tile<128x24xbf16> in l0b are 24, not a multiple of 16; the columns must be a multiple of 16 bf16 elements (the l0b fractal for bf16 is 16 x 16}}
    %b0 = tile.move %b1[%c0, %c0] : !tile.tile<256x256xbf16, l1> -> !tile.tile<128x24xbf16, l0b>
  }
  func.return
}

// -----

// m = 4112 > 4095: no single MMAD; the tiles also overflow l0a and l0c.
func.func @cube_extent(%a: memref<4112x16xbf16>, %b: memref<16x16xbf16>) {
  %c0 = arith.constant 0 : index
  // expected-error @+2 {{l0a overflow in task "c": peak 131584 B > 65536 B on ascend910b}}
  // expected-error @+1 {{l0c overflow in task "c": peak 263168 B > 131072 B on ascend910b}}
  tile.task cube "c" {
    %a1 = tile.load %a[%c0, %c0] : memref<4112x16xbf16> -> !tile.tile<4112x16xbf16, l1>
    %b1 = tile.load %b[%c0, %c0] : memref<16x16xbf16> -> !tile.tile<16x16xbf16, l1>
    %a0 = tile.move %a1[%c0, %c0] : !tile.tile<4112x16xbf16, l1> -> !tile.tile<4112x16xbf16, l0a>
    %b0 = tile.move %b1[%c0, %c0] : !tile.tile<16x16xbf16, l1> -> !tile.tile<16x16xbf16, l0b>
    // expected-error @+1 {{matmul extent m = 4112 is outside [1, 4095] on ascend910b}}
    %acc = tile.matmul %a0, %b0 : !tile.tile<4112x16xbf16, l0a>, !tile.tile<16x16xbf16, l0b> -> !tile.tile<4112x16xf32, l0c>
  }
  func.return
}

// -----

// ---- dtypes: no bf16 vector arithmetic on A2/A3 ------------------------------

func.func @bf16_add(%x: memref<16x64xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task vector "t" {
    %a = tile.load %x[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x64xbf16, ub>
    // expected-error @+1 {{tile<16x64xbf16>: bf16 vector arithmetic (add) is not supported on ascend910b: it accepts f16, f32, i16, i32 (pto-isa TAdd.hpp / TMul.hpp); cast to f32 first with tile.cast}}
    %s = tile.add %a, %a : !tile.tile<16x64xbf16, ub>
  }
  func.return
}

// -----

func.func @bf16_vector_ops(%x: memref<1x64xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task vector "t" {
    // expected-error @+1 {{bf16 vector arithmetic (full)}}
    %z = tile.full 0.0 : !tile.tile<16x64xbf16, ub>
    %a = tile.load %x[%c0, %c0] : memref<1x64xbf16> -> !tile.tile<1x64xbf16, ub>
    // expected-error @+1 {{bf16 vector arithmetic (col_expand)}}
    %e = tile.col_expand %a : !tile.tile<1x64xbf16, ub> -> !tile.tile<16x64xbf16, ub>
    // expected-error @+1 {{bf16 vector arithmetic (mul)}}
    %m = tile.mul %e, %z : !tile.tile<16x64xbf16, ub>
    // expected-error @+1 {{bf16 vector arithmetic (col_expand_mul)}}
    %p = tile.col_expand_mul %m, %a : !tile.tile<16x64xbf16, ub>, !tile.tile<1x64xbf16, ub> -> !tile.tile<16x64xbf16, ub>
    // expected-error @+1 {{bf16 row reduction (row_sum) is not supported on ascend910b}}
    %r = tile.row_sum %p : !tile.tile<16x64xbf16, ub> -> !tile.tile<16x1xbf16, ub, col_major>
  }
  func.return
}

// -----

// A tile's element type must be one some unit of the target handles.
func.func @f64_tile(%x: memref<16x16xf64>) {
  %c0 = arith.constant 0 : index
  tile.task vector "t" {
    // expected-error @+1 {{tile<16x16xf64> in ub: f64 is not an element type of ascend910b: its units handle bf16, f16, f32, i16, i32, i8}}
    %a = tile.load %x[%c0, %c0] : memref<16x16xf64> -> !tile.tile<16x16xf64, ub>
  }
  func.return
}

// -----

// ---- units: a vector task holds no cube op, a cube task no vector op ---------

func.func @cube_in_vector_task(%a: memref<16x16xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task vector "v" {
    %a1 = tile.load %a[%c0, %c0] : memref<16x16xbf16> -> !tile.tile<16x16xbf16, l1>
    %a0 = tile.move %a1[%c0, %c0] : !tile.tile<16x16xbf16, l1> -> !tile.tile<16x16xbf16, l0a>
    %b0 = tile.move %a1[%c0, %c0] : !tile.tile<16x16xbf16, l1> -> !tile.tile<16x16xbf16, l0b>
    // expected-error @+1 {{is a cube op in vector task "v": an AIV (vector) core has no cube unit}}
    %c = tile.matmul %a0, %b0 : !tile.tile<16x16xbf16, l0a>, !tile.tile<16x16xbf16, l0b> -> !tile.tile<16x16xf32, l0c>
  }
  func.return
}

// -----

func.func @vector_in_cube_task() {
  tile.task cube "c" {
    // expected-error @+1 {{'tile.full' op is a vector op in cube task "c": an AIC (cube) core has no vector unit}}
    %z = tile.full 0.0 : !tile.tile<16x16xf32, ub>
  }
  func.return
}

// -----

// ---- tiles live only inside a task -------------------------------------------

func.func @outside_task(%x: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{'tile.load' op uses on-chip tiles outside any tile.task (1 more in this function): on-chip data exist only inside a task}}
  %a = tile.load %x[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32, ub>
  tile.store %a, %x[%c0, %c0] : !tile.tile<16x64xf32, ub> -> memref<16x64xf32>
  func.return
}

// -----

// ---- data paths: the verifiers already reject what no target allows ----------

func.func @store_from_l1(%b: memref<16x16xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task cube "c" {
    %t = tile.load %b[%c0, %c0] : memref<16x16xbf16> -> !tile.tile<16x16xbf16, l1>
    // expected-error @+1 {{a stored tile must live in ub or l0c}}
    tile.store %t, %b[%c0, %c0] : !tile.tile<16x16xbf16, l1> -> memref<16x16xbf16>
  }
  func.return
}

// -----

// ---- layouts: elementwise ops need row_major operands (verifier and check) ---

func.func @add_col_major(%x: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.task vector "t" {
    %a = tile.load %x[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32, ub>
    %s = tile.row_sum %a : !tile.tile<16x64xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
    // expected-error @+1 {{lhs must be row_major, got !tile.tile<16x1xf32, ub, col_major>; elementwise vector ops read rows; reshape a row_sum result [R, 1] to [1, R] first}}
    %t = tile.add %s, %s : !tile.tile<16x1xf32, ub, col_major>
  }
  func.return
}

// -----

// ---- budgets ------------------------------------------------------------------

// The L0C accumulator alone is larger than L0C (128 KiB).
func.func @l0c_overflow(%a: memref<128x16xbf16>, %b: memref<16x512xbf16>, %c: memref<128x512xf32>) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{l0c overflow in task "c": peak 262144 B > 131072 B on ascend910b; live at the peak (point 4, 'tile.matmul'; 1 buffer, 262144 B): %acc tile<128x512xf32> ('tile.matmul') 262144 B; fix: the live tiles must shrink by 131072 B: make the largest live tiles smaller (cube-matmul: lower tk, tn or tm)}}
  tile.task cube "c" {
    %a1 = tile.load %a[%c0, %c0] : memref<128x16xbf16> -> !tile.tile<128x16xbf16, l1>
    %b1 = tile.load %b[%c0, %c0] : memref<16x512xbf16> -> !tile.tile<16x512xbf16, l1>
    %a0 = tile.move %a1[%c0, %c0] : !tile.tile<128x16xbf16, l1> -> !tile.tile<128x16xbf16, l0a>
    %b0 = tile.move %b1[%c0, %c0] : !tile.tile<16x512xbf16, l1> -> !tile.tile<16x512xbf16, l0b>
    // expected-note @+2 {{the l0c peak of task "c" is at point 4 ('tile.matmul')}}
    // expected-note @+1 {{live at the peak: %acc: tile<128x512xf32> in l0c, 262144 B at offset 0, live over points 4..5}}
    %acc = tile.matmul %a0, %b0 : !tile.tile<128x16xbf16, l0a>, !tile.tile<16x512xbf16, l0b> -> !tile.tile<128x512xf32, l0c>
    tile.store %acc, %c[%c0, %c0] : !tile.tile<128x512xf32, l0c> -> memref<128x512xf32>
  }
  func.return
}
