// What aiv-rowsum rejects, each a located error on the linalg.matmul (or, for
// budgets, check-target's error on the task, located at the matmul).
// RUN: qkv-opt --aiv-rowsum --split-input-file --verify-diagnostics %s
// RUN: not qkv-opt --aiv-rowsum --split-input-file %s 2>&1 | filecheck %s --check-prefix=EXIT
// EXIT: aiv-rowsum-invalid.mlir:{{[0-9]+}}:3: error: 'linalg.matmul' op cannot lower

// Invalid options: exit 1 with one `error:` line, no traceback.
// RUN: not qkv-opt --aiv-rowsum='nv=8' %examples/qwen3_14b_kv_proj.mlir 2>&1 | filecheck %s --check-prefix=NV8
// NV8: qwen3_14b_kv_proj.mlir:11:3: error: 'linalg.matmul' op cannot lower [1x5120xbf16] x [5120x1024xbf16] -> [1x1024xf32] to the row-sum form: nv=8, kc=auto: row of tile<1024x8xbf16> in ub is 16 B, not a multiple of the 32-byte block; nv must be a multiple of 16 for bf16
// RUN: not qkv-opt --aiv-rowsum='nv=24' %examples/qwen3_14b_kv_proj.mlir 2>&1 | filecheck %s --check-prefix=NV24
// NV24: error: {{.*}}row of tile<1024x24xbf16> in ub is 48 B, not a multiple of the 32-byte block; nv must be a multiple of 16 for bf16
// RUN: not qkv-opt --aiv-rowsum='kc=1000' %examples/qwen3_14b_kv_proj.mlir 2>&1 | filecheck %s --check-prefix=KC1000
// KC1000: error: bad option for pass 'aiv-rowsum': kc=1000 is not a multiple of 16: for a bf16 input, row of tile<1x1000xbf16> in ub is 2000 B, not a multiple of the 32-byte block; kc must be a multiple of 16 for bf16
// RUN: not qkv-opt --aiv-rowsum='kc=2048' %examples/qwen3_14b_kv_proj.mlir 2>&1 | filecheck %s --check-prefix=KC2048
// KC2048: qwen3_14b_kv_proj.mlir:11:3: error: 'tile.task' op ub overflow in task "k_proj_0": peak 270400 B > 188416 B usable on ascend910b; live at the peak
// KC2048: %w_t tile<16x2048xf32>
// RUN: not qkv-opt --aiv-rowsum='nv=0' %s 2>&1 | filecheck %s --check-prefix=NV0
// NV0: error: bad option for pass 'aiv-rowsum': nv must be a positive integer, got 0
// RUN: not qkv-opt --aiv-rowsum='kc=fast' %s 2>&1 | filecheck %s --check-prefix=KCSTR
// KCSTR: error: bad option for pass 'aiv-rowsum': kc must be 'auto' or a positive multiple of 16, got 'fast'
// RUN: not qkv-opt --aiv-rowsum='kc=-16' %s 2>&1 | filecheck %s --check-prefix=KCNEG
// KCNEG: error: bad option for pass 'aiv-rowsum': kc must be 'auto' or a positive multiple of 16, got -16
// RUN: not qkv-opt --aiv-rowsum='max-batch=0' %s 2>&1 | filecheck %s --check-prefix=MB0
// MB0: error: bad option for pass 'aiv-rowsum': max-batch must be a positive integer, got 0
// RUN: not qkv-opt --aiv-rowsum='target=ascend310' %s 2>&1 | filecheck %s --check-prefix=TGT
// TGT: error: bad option for pass 'aiv-rowsum': unknown target 'ascend310'; known targets: ascend910b, ascend950
// RUN: not qkv-opt --aiv-rowsum='nb=16' %s 2>&1 | filecheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: pass 'aiv-rowsum' has no option 'nb' (options: nv=16 kc=auto max-batch=16 target=ascend910b)
// NV0-NOT: Traceback
// KCSTR-NOT: Traceback

// N = 1032 = 64 x 16 + 8: the peeled N sub-tile's [kc, 8] bf16 W block has
// 16 B rows, and no nv helps.
func.func @n_tail_misaligned(%x: memref<1x1024xbf16>, %w: memref<1024x1032xbf16>, %y: memref<1x1032xf32>) {
  // expected-error @+1 {{cannot lower [1x1024xbf16] x [1024x1032xbf16] -> [1x1032xf32] to the row-sum form (nv=16, kc=1024): in the peeled N sub-tile of 8 columns (N = 1032 = 64 x 16 + 8), row of tile<1024x8xbf16> in ub is 16 B, not a multiple of the 32-byte block}}
  linalg.matmul ins(%x, %w : memref<1x1024xbf16>, memref<1024x1032xbf16>) outs(%y : memref<1x1032xf32>)
  return
}

// -----

// K = 5128 = 5 x 1024 + 8: the peeled K-block's [1, 8] bf16 x block is 16 B.
func.func @k_tail_misaligned(%x: memref<1x5128xbf16>, %w: memref<5128x1024xbf16>, %y: memref<1x1024xf32>) {
  // expected-error @+1 {{in the peeled K-block of 8 (K = 5128 = 5 x 1024 + 8), row of tile<1x8xbf16> in ub is 16 B, not a multiple of the 32-byte block}}
  linalg.matmul ins(%x, %w : memref<1x5128xbf16>, memref<5128x1024xbf16>) outs(%y : memref<1x1024xf32>)
  return
}

// -----

// K = 40 < kc: the single K-block is 80 B of bf16.
func.func @small_k_misaligned(%x: memref<1x40xbf16>, %w: memref<40x32xbf16>, %y: memref<1x32xf32>) {
  // expected-error @+1 {{in the single K-block of 40, row of tile<1x40xbf16> in ub is 80 B}}
  linalg.matmul ins(%x, %w : memref<1x40xbf16>, memref<40x32xbf16>) outs(%y : memref<1x32xf32>)
  return
}

// -----

// Forced onto the vector unit but integer: an error, not a silent skip.
func.func @forced_int(%x: memref<1x64xi8>, %w: memref<64x32xi8>, %y: memref<1x32xi32>) {
  // expected-error @+1 {{has tile.unit = "vector" but cannot be lowered: [1x64xi8] x [64x32xi8] -> [1x32xi32]: the row-sum form lowers floating-point matmuls only}}
  linalg.matmul {tile.unit = "vector"} ins(%x, %w : memref<1x64xi8>, memref<64x32xi8>) outs(%y : memref<1x32xi32>)
  return
}

// -----

// bf16 accumulation: the 910B vector unit has no bf16 arithmetic.
func.func @forced_bf16_out(%x: memref<1x64xbf16>, %w: memref<64x32xbf16>, %y: memref<1x32xbf16>) {
  // expected-error @+1 {{the vector unit of ascend910b has no bf16 multiply / row_sum}}
  linalg.matmul {tile.unit = "vector"} ins(%x, %w : memref<1x64xbf16>, memref<64x32xbf16>) outs(%y : memref<1x32xbf16>)
  return
}

// -----

func.func @forced_tensor(%x: tensor<1x64xf32>, %w: tensor<64x32xf32>, %y: tensor<1x32xf32>) -> tensor<1x32xf32> {
  // expected-error @+1 {{has tile.unit = "vector" but cannot be lowered: it is not a matmul on memrefs}}
  %r = linalg.matmul {tile.unit = "vector"} ins(%x, %w : tensor<1x64xf32>, tensor<64x32xf32>) outs(%y : tensor<1x32xf32>) -> tensor<1x32xf32>
  return %r : tensor<1x32xf32>
}

// -----

func.func @bad_unit(%x: memref<1x64xf32>, %w: memref<64x32xf32>, %y: memref<1x32xf32>) {
  // expected-error @+1 {{tile.unit must be "cube" or "vector", got "gpu"}}
  linalg.matmul {tile.unit = "gpu"} ins(%x, %w : memref<1x64xf32>, memref<64x32xf32>) outs(%y : memref<1x32xf32>)
  return
}

// -----

// Forced with a batch of 4096: even kc=16 needs more than the UB (the
// check-target error, at the matmul's location).
func.func @forced_huge_batch(%x: memref<4096x64xf32>, %w: memref<64x32xf32>, %y: memref<4096x32xf32>) {
  // expected-error @+1 {{ub overflow in task "forced_huge_batch_0"}}
  linalg.matmul {tile.unit = "vector"} ins(%x, %w : memref<4096x64xf32>, memref<64x32xf32>) outs(%y : memref<4096x32xf32>)
  return
}
