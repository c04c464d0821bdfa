// What cube-matmul rejects: located errors on the linalg.matmul, or
// check-target's budget errors on what it built.
// RUN: qkv-opt --cube-matmul --split-input-file --verify-diagnostics %s
// RUN: not qkv-opt --cube-matmul --split-input-file %s 2>&1 | filecheck %s --check-prefix=EXIT
// EXIT: cube-matmul-invalid.mlir:{{[0-9]+}}:3: error: 'linalg.matmul' op cannot

// Invalid options: exit 1, one `error:` line each.
// RUN: not qkv-opt --cube-matmul='tm=8' %examples/qwen3_14b_kv_proj.mlir 2>&1 | filecheck %s --check-prefix=TM8
// TM8: error: bad option for pass 'cube-matmul': cube M (rows of tile<8x256xbf16> in l0a) is 8, not a multiple of 16; tm must be a multiple of 16
// RUN: not qkv-opt --cube-matmul='tn=24' %examples/qwen3_14b_kv_proj.mlir 2>&1 | filecheck %s --check-prefix=TN24
// TN24: error: bad option for pass 'cube-matmul': columns of tile<256x24xbf16> in l0b are 24, not a multiple of 16; tn must be a multiple of 16
// RUN: not qkv-opt --cube-matmul='tk=40' %examples/qwen3_14b_kv_proj.mlir 2>&1 | filecheck %s --check-prefix=TK40
// TK40: error: bad option for pass 'cube-matmul': columns of tile<16x40xbf16> in l0a are 40, not a multiple of 16; tk must be a multiple of 16
// RUN: not qkv-opt --cube-matmul='k-slice=1000' %examples/qwen3_14b_kv_proj.mlir 2>&1 | filecheck %s --check-prefix=KS
// KS: error: bad option for pass 'cube-matmul': k-slice=1000 is not a multiple of tk=256: a split-K slice is a whole number of L1 chunks
// RUN: not qkv-opt --cube-matmul='tn=4096' %examples/qwen3_14b_kv_proj.mlir 2>&1 | filecheck %s --check-prefix=EXTENT
// EXTENT: error: bad option for pass 'cube-matmul': tm=16, tn=4096: matmul extent n = 4096 is outside [1, 4095] on ascend910b
// RUN: not qkv-opt --cube-matmul='tm=32 tn=2048' %examples/qwen3_14b_kv_proj.mlir 2>&1 | filecheck %s --check-prefix=ACC
// ACC: error: bad option for pass 'cube-matmul': the [32, 2048] f32 accumulator is 262,144 B, more than the 131,072 B of L0C on ascend910b; lower tm or tn
// RUN: not qkv-opt --cube-matmul='tm=0' %examples/qwen3_14b_kv_proj.mlir 2>&1 | filecheck %s --check-prefix=TM0
// TM0: error: bad option for pass 'cube-matmul': tm must be a positive integer, got 0
// RUN: not qkv-opt --cube-matmul='target=a2' %examples/qwen3_14b_kv_proj.mlir 2>&1 | filecheck %s --check-prefix=TGT
// TGT: error: bad option for pass 'cube-matmul': unknown target 'a2'; known targets: ascend910b, ascend950
// An L1 chunk too big for L1: check-target's overflow, at the matmul.
// RUN: not qkv-opt --cube-matmul='tk=2048 k-slice=2048' %examples/qwen3_14b_kv_proj.mlir 2>&1 | filecheck %s --check-prefix=L1OVF
// L1OVF: qwen3_14b_kv_proj.mlir:11:3: error: 'tile.task' op l1 overflow in task "k_proj_0"
// f32 inputs with tn=2048: even a 16-deep k-step is 128 KiB of L0B.
// RUN: not qkv-opt --cube-matmul='tn=2048' %s 2>&1 | filecheck %s --check-prefix=STEP
// STEP: error: 'linalg.matmul' op cannot lower [1x64xf32] x [64x4096xf32] -> [1x4096xf32] to the cube: even a 16-deep k-step [16, 2048] of f32 is 131072 B, more than the 65,536 B of L0B on ascend910b; lower tn

func.func @f32_wide(%x: memref<1x64xf32>, %w: memref<64x4096xf32>, %y: memref<1x4096xf32>) {
  linalg.matmul ins(%x, %w : memref<1x64xf32>, memref<64x4096xf32>) outs(%y : memref<1x4096xf32>)
  return
}

// -----

func.func @mixed_inputs(%x: memref<1x64xbf16>, %w: memref<64x32xf32>, %y: memref<1x32xf32>) {
  // expected-error @+1 {{cannot lower [1x64xbf16] x [64x32xf32] -> [1x32xf32] to the cube: its operands must have one element type}}
  linalg.matmul ins(%x, %w : memref<1x64xbf16>, memref<64x32xf32>) outs(%y : memref<1x32xf32>)
  return
}

// -----

func.func @bf16_out(%x: memref<1x64xbf16>, %w: memref<64x32xbf16>, %y: memref<1x32xbf16>) {
  // expected-error @+1 {{the cube of ascend910b has no bf16 x bf16 -> bf16 matmul}}
  linalg.matmul ins(%x, %w : memref<1x64xbf16>, memref<64x32xbf16>) outs(%y : memref<1x32xbf16>)
  return
}

// -----

func.func @tensor(%x: tensor<1x64xf32>, %w: tensor<64x32xf32>, %y: tensor<1x32xf32>) -> tensor<1x32xf32> {
  // expected-error @+1 {{cannot be lowered to the cube: it is not a matmul on memrefs}}
  %r = linalg.matmul ins(%x, %w : tensor<1x64xf32>, tensor<64x32xf32>) outs(%y : tensor<1x32xf32>) -> tensor<1x32xf32>
  return %r : tensor<1x32xf32>
}

// -----

func.func @dynamic(%x: memref<?x64xf32>, %w: memref<64x32xf32>, %y: memref<?x32xf32>) {
  // expected-error @+1 {{cannot be lowered to the cube: its A operand memref<?x64xf32> is not a static 2-D memref}}
  linalg.matmul ins(%x, %w : memref<?x64xf32>, memref<64x32xf32>) outs(%y : memref<?x32xf32>)
  return
}

// -----

func.func @not_gm(%x: memref<1x64xf32, 1>, %w: memref<64x32xf32>, %y: memref<1x32xf32>) {
  // expected-error @+1 {{its A operand memref<1x64xf32, 1 : i64> is not in GM}}
  linalg.matmul ins(%x, %w : memref<1x64xf32, 1>, memref<64x32xf32>) outs(%y : memref<1x32xf32>)
  return
}

// -----

func.func @bad_unit(%x: memref<1x64xf32>, %w: memref<64x32xf32>, %y: memref<1x32xf32>) {
  // expected-error @+1 {{tile.unit must be "cube" or "vector", got "npu"}}
  linalg.matmul {tile.unit = "npu"} ins(%x, %w : memref<1x64xf32>, memref<64x32xf32>) outs(%y : memref<1x32xf32>)
  return
}
