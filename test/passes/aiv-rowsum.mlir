// aiv-rowsum: linalg.matmul with M <= max-batch -> vector-unit row-sum tasks.
// RUN: qkv-opt --aiv-rowsum --split-input-file %s | filecheck %s
// RUN: qkv-opt --aiv-rowsum='nv=32 kc=512' --split-input-file %s | filecheck %s --check-prefix=OPT
// RUN: qkv-opt --aiv-rowsum='max-batch=2' --split-input-file %s | filecheck %s --check-prefix=MB
// RUN: qkv-opt --aiv-rowsum='target=ascend950' --split-input-file %s | filecheck %s --check-prefix=A5
// The output reads back and verifies, in custom and in generic form.
// RUN: qkv-opt --aiv-rowsum --split-input-file %s | qkv-opt --split-input-file | filecheck %s
// RUN: qkv-opt --aiv-rowsum --split-input-file --print-op-generic %s | qkv-opt --split-input-file | filecheck %s

// Batch 1 (F1.2), Qwen3-14B K projection: kc=auto picks 1024, nv=16 gives 64
// tasks, the loops stay rolled.
// CHECK-LABEL: func.func @k_proj(
// CHECK-NEXT:    %c0 = arith.constant 0 : index
// CHECK-NEXT:    %c16 = arith.constant 16 : index
// CHECK-NEXT:    %c1024 = arith.constant 1024 : index
// CHECK-NEXT:    %c5120 = arith.constant 5120 : index
// CHECK-NEXT:    scf.parallel (%n0) = (%c0) to (%c1024) step (%c16) {
// CHECK-NEXT:      tile.task vector "k_proj_0" {
// CHECK-NEXT:        %acc0 = tile.load %k[%c0, %n0] : memref<1x1024xf32> -> !tile.tile<1x16xf32, ub>
// CHECK-NEXT:        %acc_k = scf.for %k0 = %c0 to %c5120 step %c1024 iter_args(%acc = %acc0) -> (!tile.tile<1x16xf32, ub>) {
// CHECK-NEXT:          %x_blk = tile.load %x[%c0, %k0] : memref<1x5120xbf16> -> !tile.tile<1x1024xbf16, ub>
// CHECK-NEXT:          %x_f32 = tile.cast %x_blk : !tile.tile<1x1024xbf16, ub> -> !tile.tile<1x1024xf32, ub>
// CHECK-NEXT:          %w_blk = tile.load %wk[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<1024x16xbf16, ub>
// CHECK-NEXT:          %w_f32 = tile.cast %w_blk : !tile.tile<1024x16xbf16, ub> -> !tile.tile<1024x16xf32, ub>
// CHECK-NEXT:          %w_t = tile.transpose %w_f32 : !tile.tile<1024x16xf32, ub> -> !tile.tile<16x1024xf32, ub>
// CHECK-NEXT:          %x_rows = tile.col_expand %x_f32 : !tile.tile<1x1024xf32, ub> -> !tile.tile<16x1024xf32, ub>
// CHECK-NEXT:          %prod = tile.mul %w_t, %x_rows : !tile.tile<16x1024xf32, ub>
// CHECK-NEXT:          %part = tile.row_sum %prod : !tile.tile<16x1024xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
// CHECK-NEXT:          %part_row = tile.reshape %part : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
// CHECK-NEXT:          %acc_next = tile.add %acc, %part_row : !tile.tile<1x16xf32, ub>
// CHECK-NEXT:          scf.yield %acc_next : !tile.tile<1x16xf32, ub>
// CHECK-NEXT:        }
// CHECK-NEXT:        tile.store %acc_k, %k[%c0, %n0] : !tile.tile<1x16xf32, ub> -> memref<1x1024xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return
// CHECK-NOT:     linalg.matmul

// nv=32 kc=512: [512, 32] W blocks, 32 tasks.
// OPT-LABEL: func.func @k_proj(
// OPT:         scf.parallel (%n0) = (%c0) to (%c1024) step (%c32) {
// OPT:           scf.for %k0 = %c0 to %c5120 step %c512
// OPT:             tile.load %wk[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<512x32xbf16, ub>
// OPT:             tile.transpose %w_f32 : !tile.tile<512x32xf32, ub> -> !tile.tile<32x512xf32, ub>
// OPT:             tile.row_sum %prod : !tile.tile<32x512xf32, ub> -> !tile.tile<32x1xf32, ub, col_major>

// A5-LABEL: func.func @k_proj(
// A5:         scf.for %k0 = %c0 to %c5120 step %c1024
func.func @k_proj(%x: memref<1x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<1x1024xf32>) {
  linalg.matmul ins(%x, %wk : memref<1x5120xbf16>, memref<5120x1024xbf16>) outs(%k : memref<1x1024xf32>)
  return
}

// -----

// Batch 16: the batch form.  The W block is loaded and transposed once per
// (N sub-tile, K-block); an inner loop over the nv columns reuses it for all
// 16 rows.  kc=auto: 720 is the largest multiple of 16 whose task fits the
// 188,416 B of UB (x_f32, w_t, prod and the row_sum scratch are each
// [16, kc] f32), so K = 5120 = 7 x 720 + 80 has a peeled 80-deep tail.
// CHECK-LABEL: func.func @k_proj_b16(
// CHECK:         %c720 = arith.constant 720 : index
// CHECK:         %c5040 = arith.constant 5040 : index
// CHECK:         scf.parallel (%n0) = (%c0) to (%c1024) step (%c16) {
// CHECK-NEXT:      tile.task vector "k_proj_b16_0" {
// CHECK-NEXT:        %acc0 = tile.load %k[%c0, %n0] : memref<16x1024xf32> -> !tile.tile<16x16xf32, ub>
// CHECK-NEXT:        %acc_k = scf.for %k0 = %c0 to %c5040 step %c720 iter_args(%acc = %acc0) -> (!tile.tile<16x16xf32, ub>) {
// CHECK-NEXT:          %x_blk = tile.load %x[%c0, %k0] : memref<16x5120xbf16> -> !tile.tile<16x720xbf16, ub>
// CHECK-NEXT:          %x_f32 = tile.cast %x_blk : !tile.tile<16x720xbf16, ub> -> !tile.tile<16x720xf32, ub>
// CHECK-NEXT:          %w_blk = tile.load %wk[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<720x16xbf16, ub>
// CHECK-NEXT:          %w_f32 = tile.cast %w_blk : !tile.tile<720x16xbf16, ub> -> !tile.tile<720x16xf32, ub>
// CHECK-NEXT:          %w_t = tile.transpose %w_f32 : !tile.tile<720x16xf32, ub> -> !tile.tile<16x720xf32, ub>
// CHECK-NEXT:          %blk0 = tile.full 0.000000e+00 : !tile.tile<16x16xf32, ub>
// CHECK-NEXT:          %blk_sum = scf.for %n = %c0 to %c16 step %c1 iter_args(%blk = %blk0) -> (!tile.tile<16x16xf32, ub>) {
// CHECK-NEXT:            %w_row = tile.extract %w_t[%n, %c0] : !tile.tile<16x720xf32, ub> -> !tile.tile<1x720xf32, ub>
// CHECK-NEXT:            %prod = tile.col_expand_mul %x_f32, %w_row : !tile.tile<16x720xf32, ub>, !tile.tile<1x720xf32, ub> -> !tile.tile<16x720xf32, ub>
// CHECK-NEXT:            %part = tile.row_sum %prod : !tile.tile<16x720xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
// CHECK-NEXT:            %blk_next = tile.insert %part into %blk[%c0, %n] : !tile.tile<16x1xf32, ub, col_major> into !tile.tile<16x16xf32, ub>
// CHECK-NEXT:            scf.yield %blk_next : !tile.tile<16x16xf32, ub>
// CHECK-NEXT:          }
// CHECK-NEXT:          %acc_next = tile.add %acc, %blk_sum : !tile.tile<16x16xf32, ub>
// CHECK-NEXT:          scf.yield %acc_next : !tile.tile<16x16xf32, ub>
// CHECK-NEXT:        }
// The peeled K tail, with its own exact shapes.
// CHECK-NEXT:        %x_blk_1 = tile.load %x[%c0, %c5040] : memref<16x5120xbf16> -> !tile.tile<16x80xbf16, ub>
// CHECK:             %w_blk_1 = tile.load %wk[%c5040, %n0] : memref<5120x1024xbf16> -> !tile.tile<80x16xbf16, ub>
// CHECK:             tile.col_expand_mul {{.*}} -> !tile.tile<16x80xf32, ub>
// CHECK:             %acc_next_1 = tile.add %acc_k, %blk_sum_1 : !tile.tile<16x16xf32, ub>
// CHECK-NEXT:        tile.store %acc_next_1, %k[%c0, %n0] : !tile.tile<16x16xf32, ub> -> memref<16x1024xf32>
// CHECK-NOT:     linalg.matmul

// nv=32 kc=512: the reference kernel's batch-16 K-block, no tail.
// OPT-LABEL: func.func @k_proj_b16(
// OPT:         scf.for %k0 = %c0 to %c5120 step %c512 iter_args(%acc = %acc0) -> (!tile.tile<16x32xf32, ub>)
// OPT:           scf.for %n = %c0 to %c32 step %c1
// OPT:             tile.extract %w_t[%n, %c0] : !tile.tile<32x512xf32, ub> -> !tile.tile<1x512xf32, ub>
// OPT-NOT:       tile.load %x[%c0, %c5040]

// max-batch=2: a batch of 16 is left for the cube.
// MB-LABEL: func.func @k_proj_b16(
// MB-NEXT:    linalg.matmul
// MB-NEXT:    func.return

// ascend950: 240 KiB of UB and no row_sum scratch, so kc=auto reaches 1024.
// A5-LABEL: func.func @k_proj_b16(
// A5:         scf.for %k0 = %c0 to %c5120 step %c1024
func.func @k_proj_b16(%x: memref<16x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<16x1024xf32>) {
  linalg.matmul ins(%x, %wk : memref<16x5120xbf16>, memref<5120x1024xbf16>) outs(%k : memref<16x1024xf32>)
  return
}

// -----

// A batch of 3: row_sum's col_major [B, 1] result needs B x 4 B to be whole
// 32 B blocks, so the rows are padded to 8.  valid(3, ...) loads zeros into
// the padding and the store writes the 3 real rows only.  f16 inputs are cast
// to the f32 accumulator.
// CHECK-LABEL: func.func @batch3_f16(
// CHECK:         tile.task vector "batch3_f16_0" {
// CHECK-NEXT:      %acc0 = tile.load %y[%c0, %n0] valid(%c3, %c16) : memref<3x512xf32> -> !tile.tile<8x16xf32, ub>
// CHECK:             %x_blk = tile.load %x[%c0, %k0] valid(%c3, %c1024) : memref<3x4096xf16> -> !tile.tile<8x1024xf16, ub>
// CHECK-NEXT:        %x_f32 = tile.cast %x_blk : !tile.tile<8x1024xf16, ub> -> !tile.tile<8x1024xf32, ub>
// CHECK:               tile.row_sum %prod : !tile.tile<8x1024xf32, ub> -> !tile.tile<8x1xf32, ub, col_major>
// CHECK:           tile.store %acc_k, %y[%c0, %n0] valid(%c3, %c16) : !tile.tile<8x16xf32, ub> -> memref<3x512xf32>
func.func @batch3_f16(%x: memref<3x4096xf16>, %w: memref<4096x512xf16>, %y: memref<3x512xf32>) {
  linalg.matmul ins(%x, %w : memref<3x4096xf16>, memref<4096x512xf16>) outs(%y : memref<3x512xf32>)
  return
}

// -----

// f32 inputs: no casts (nv=8 is legal for them: aiv-rowsum-options.mlir).
// CHECK-LABEL: func.func @f32_inputs(
// CHECK:           %x_blk = tile.load %x[%c0, %k0] : memref<1x4096xf32> -> !tile.tile<1x1024xf32, ub>
// CHECK-NEXT:      %w_blk = tile.load %w[%k0, %n0] : memref<4096x1024xf32> -> !tile.tile<1024x16xf32, ub>
// CHECK-NEXT:      %w_t = tile.transpose %w_blk : !tile.tile<1024x16xf32, ub> -> !tile.tile<16x1024xf32, ub>
// CHECK-NEXT:      %x_rows = tile.col_expand %x_blk : !tile.tile<1x1024xf32, ub> -> !tile.tile<16x1024xf32, ub>
func.func @f32_inputs(%x: memref<1x4096xf32>, %w: memref<4096x1024xf32>, %y: memref<1x1024xf32>) {
  linalg.matmul ins(%x, %w : memref<1x4096xf32>, memref<4096x1024xf32>) outs(%y : memref<1x1024xf32>)
  return
}

// -----

// C zero-filled just before: the accumulator starts as tile.full 0.0 (as the
// reference kernel does) and the dead fill and its constant are erased.
// CHECK-LABEL: func.func @zero_filled(
// CHECK-NOT:     linalg.fill
// CHECK-NOT:     arith.constant 0.0{{.*}} : f32
// CHECK:         tile.task vector "zero_filled_0" {
// CHECK-NEXT:      %acc0 = tile.full 0.000000e+00 : !tile.tile<1x16xf32, ub>
// CHECK-NOT:     linalg.fill
func.func @zero_filled(%x: memref<1x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<1x1024xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%k : memref<1x1024xf32>)
  linalg.matmul ins(%x, %wk : memref<1x5120xbf16>, memref<5120x1024xbf16>) outs(%k : memref<1x1024xf32>)
  return
}

// -----

// Any constant fill works the same way: C = 1 + A * B.  The constant is kept
// while something else uses it.
// CHECK-LABEL: func.func @one_filled(
// CHECK:         %one = arith.constant 1.000000e+00 : f32
// CHECK-NOT:     linalg.fill
// CHECK:           %acc0 = tile.full 1.000000e+00 : !tile.tile<1x16xf32, ub>
// CHECK:         memref.store %one, %flag[%i0] : memref<1xf32>
func.func @one_filled(%x: memref<1x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<1x1024xf32>, %flag: memref<1xf32>) {
  %one = arith.constant 1.0 : f32
  %i0 = arith.constant 0 : index
  linalg.fill ins(%one : f32) outs(%k : memref<1x1024xf32>)
  linalg.matmul ins(%x, %wk : memref<1x5120xbf16>, memref<5120x1024xbf16>) outs(%k : memref<1x1024xf32>)
  memref.store %one, %flag[%i0] : memref<1xf32>
  return
}

// -----

// A write to memory between the fill and the matmul may alias C: no proof,
// so C is loaded and the fill stays.  The function's own %i0 serves as %c0.
// CHECK-LABEL: func.func @fill_then_store(
// CHECK:         linalg.fill
// CHECK:         memref.store
// CHECK:           %acc0 = tile.load %k[%i0, %n0] : memref<1x1024xf32> -> !tile.tile<1x16xf32, ub>
func.func @fill_then_store(%x: memref<1x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<1x1024xf32>, %other: memref<1x1024xf32>) {
  %zero = arith.constant 0.0 : f32
  %i0 = arith.constant 0 : index
  linalg.fill ins(%zero : f32) outs(%k : memref<1x1024xf32>)
  memref.store %zero, %other[%i0, %i0] : memref<1x1024xf32>
  linalg.matmul ins(%x, %wk : memref<1x5120xbf16>, memref<5120x1024xbf16>) outs(%k : memref<1x1024xf32>)
  return
}

// -----

// Qwen2.5-7B K projection: K = 3584 = 3 x 1024 + 512, a peeled 512-deep block.
// CHECK-LABEL: func.func @qwen25_k(
// CHECK:         scf.parallel (%n0) = (%c0) to (%c512) step (%c16) {
// CHECK:           %acc_k = scf.for %k0 = %c0 to %c3072 step %c1024
// CHECK:           %x_blk_1 = tile.load %x[%c0, %c3072] : memref<1x3584xbf16> -> !tile.tile<1x512xbf16, ub>
// CHECK:           %w_blk_1 = tile.load %w[%c3072, %n0] : memref<3584x512xbf16> -> !tile.tile<512x16xbf16, ub>
// CHECK:           %part_1 = tile.row_sum %prod_1 : !tile.tile<16x512xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
// CHECK:           %acc_next_1 = tile.add %acc_k, %part_row_1 : !tile.tile<1x16xf32, ub>
// CHECK-NEXT:      tile.store %acc_next_1, %y[%c0, %n0]
// OPT-LABEL: func.func @qwen25_k(
// OPT:           scf.for %k0 = %c0 to %c3584 step %c512
// OPT-NOT:       tile.load %x[%c0, %c3584]
func.func @qwen25_k(%x: memref<1x3584xbf16>, %w: memref<3584x512xbf16>, %y: memref<1x512xf32>) {
  linalg.matmul ins(%x, %w : memref<1x3584xbf16>, memref<3584x512xbf16>) outs(%y : memref<1x512xf32>)
  return
}

// -----

// N = 1040 with nv=32: 32 full sub-tiles and a peeled task for the last 16.
// OPT-LABEL: func.func @n_tail(
// OPT:         scf.parallel (%n0) = (%c0) to (%c1024) step (%c32) {
// OPT:           tile.task vector "n_tail_0" {
// OPT:         tile.task vector "n_tail_0_ntail" {
// OPT:             tile.load %w[%k0{{.*}}, %c1024] : memref<1024x1040xbf16> -> !tile.tile<512x16xbf16, ub>
// OPT:           tile.store %{{.*}}, %y[%c0, %c1024] : !tile.tile<1x16xf32, ub> -> memref<1x1040xf32>
func.func @n_tail(%x: memref<1x1024xbf16>, %w: memref<1024x1040xbf16>, %y: memref<1x1040xf32>) {
  linalg.matmul ins(%x, %w : memref<1x1024xbf16>, memref<1024x1040xbf16>) outs(%y : memref<1x1040xf32>)
  return
}

// -----

// K smaller than kc: one K-block of K, with no loop around it.
// CHECK-LABEL: func.func @small_k(
// CHECK:           %acc0 = tile.load %y[%c0, %n0]
// CHECK-NEXT:      %x_blk = tile.load %x[%c0, %c0] : memref<1x64xbf16> -> !tile.tile<1x64xbf16, ub>
// CHECK-NOT:       scf.for
func.func @small_k(%x: memref<1x64xbf16>, %w: memref<64x32xbf16>, %y: memref<1x32xf32>) {
  linalg.matmul ins(%x, %w : memref<1x64xbf16>, memref<64x32xbf16>) outs(%y : memref<1x32xf32>)
  return
}

// -----

// f16 output: no casts at all, f16 arithmetic (the vector unit has it).
// CHECK-LABEL: func.func @f16_out(
// CHECK-NOT:       tile.cast
// CHECK:           tile.row_sum %prod : !tile.tile<16x1024xf16, ub> -> !tile.tile<16x1xf16, ub, col_major>
func.func @f16_out(%x: memref<1x2048xf16>, %w: memref<2048x64xf16>, %y: memref<1x64xf16>) {
  linalg.matmul ins(%x, %w : memref<1x2048xf16>, memref<2048x64xf16>) outs(%y : memref<1x64xf16>)
  return
}

// -----

// Unit selection: tile.unit = "cube" stays for cube-matmul; tile.unit = "vector"
// forces the vector form even beyond max-batch; tasks are named after the
// function and the matmul's position in it.
// CHECK-LABEL: func.func @units(
// CHECK:         linalg.matmul {tile.unit = "cube"} ins(%x, %wq
// CHECK:         tile.task vector "units_1"
// CHECK:         tile.task vector "units_2"
// CHECK-NOT:     linalg.matmul ins
// MB-LABEL: func.func @units(
// MB:           linalg.matmul {tile.unit = "cube"}
// MB:           tile.task vector "units_1"
// MB:           tile.task vector "units_2"
func.func @units(%x: memref<1x5120xbf16>, %wq: memref<5120x5120xbf16>, %wk: memref<5120x1024xbf16>, %q: memref<1x5120xf32>, %k: memref<1x1024xf32>, %x32: memref<32x256xbf16>, %w32: memref<256x64xbf16>, %y32: memref<32x64xf32>) {
  linalg.matmul {tile.unit = "cube"} ins(%x, %wq : memref<1x5120xbf16>, memref<5120x5120xbf16>) outs(%q : memref<1x5120xf32>)
  linalg.matmul ins(%x, %wk : memref<1x5120xbf16>, memref<5120x1024xbf16>) outs(%k : memref<1x1024xf32>)
  linalg.matmul {tile.unit = "vector"} ins(%x32, %w32 : memref<32x256xbf16>, memref<256x64xbf16>) outs(%y32 : memref<32x64xf32>)
  return
}

// -----

// Left alone: M above max-batch, tensors, integers (the cube takes them).
// CHECK-LABEL: func.func @left_alone(
// CHECK-NEXT:    linalg.matmul ins(%a, %b : memref<32x256xbf16>, memref<256x64xbf16>)
// CHECK-NEXT:    linalg.matmul ins(%ta, %tb : tensor<1x64xf32>, tensor<64x32xf32>)
// CHECK-NEXT:    linalg.matmul ins(%ia, %ib : memref<1x64xi8>, memref<64x32xi8>)
// CHECK-NOT:     tile.task
func.func @left_alone(%a: memref<32x256xbf16>, %b: memref<256x64xbf16>, %c: memref<32x64xf32>, %ta: tensor<1x64xf32>, %tb: tensor<64x32xf32>, %tc: tensor<1x32xf32>, %ia: memref<1x64xi8>, %ib: memref<64x32xi8>, %ic: memref<1x32xi32>) -> tensor<1x32xf32> {
  linalg.matmul ins(%a, %b : memref<32x256xbf16>, memref<256x64xbf16>) outs(%c : memref<32x64xf32>)
  %r = linalg.matmul ins(%ta, %tb : tensor<1x64xf32>, tensor<64x32xf32>) outs(%tc : tensor<1x32xf32>) -> tensor<1x32xf32>
  linalg.matmul ins(%ia, %ib : memref<1x64xi8>, memref<64x32xi8>) outs(%ic : memref<1x32xi32>)
  return %r : tensor<1x32xf32>
}

// -----

// nn.Linear as torch-mlir bufferizes it: y = x @ W^T with W stored [N, K] and
// transposed into a fresh buffer.  W's rows are the output columns, so the
// [nv, kc] blocks are loaded as they are: no linalg.transpose, no tile.transpose.
// CHECK-LABEL: func.func @linear(
// CHECK-NOT:     linalg.transpose
// CHECK-NOT:     memref.alloc
// CHECK:           %acc0 = tile.full 0.000000e+00 : !tile.tile<1x16xf32, ub>
// CHECK:           %w_blk = tile.load %w[%n0, %c0] : memref<64x256xf32> -> !tile.tile<16x256xf32, ub>
// CHECK-NEXT:      %x_rows = tile.col_expand %x_blk : !tile.tile<1x256xf32, ub> -> !tile.tile<16x256xf32, ub>
// CHECK-NEXT:      %prod = tile.mul %w_blk, %x_rows : !tile.tile<16x256xf32, ub>
// CHECK-NOT:     tile.transpose
func.func @linear(%x: memref<1x256xf32>, %w: memref<64x256xf32>, %y: memref<1x64xf32>) {
  %zero = arith.constant 0.000000e+00 : f32
  %wt = memref.alloc() {alignment = 64 : i64} : memref<256x64xf32>
  linalg.transpose ins(%w : memref<64x256xf32>) outs(%wt : memref<256x64xf32>) permutation = [1, 0]
  linalg.fill ins(%zero : f32) outs(%y : memref<1x64xf32>)
  linalg.matmul ins(%x, %wt : memref<1x256xf32>, memref<256x64xf32>) outs(%y : memref<1x64xf32>)
  return
}

// -----

// A bf16 nn.Linear: the matmul accumulates into a zero-filled f32 buffer that
// an elementwise linalg.generic truncates into the bf16 result.  The form
// absorbs it: the accumulator is cast to bf16 (round to nearest even, as
// arith.truncf) and stored into the result; the buffer, its fill and the
// generic are gone.
// CHECK-LABEL: func.func @linear_bf16(
// CHECK-NOT:     linalg
// CHECK-NOT:     memref.alloc
// CHECK:             %w_blk = tile.load %w[%n0, %k0] : memref<1024x4096xbf16> -> !tile.tile<16x1024xbf16, ub>
// CHECK-NEXT:        %w_t = tile.cast %w_blk : !tile.tile<16x1024xbf16, ub> -> !tile.tile<16x1024xf32, ub>
// CHECK:           %y = tile.cast %acc_k : !tile.tile<8x16xf32, ub> -> !tile.tile<8x16xbf16, ub>
// CHECK-NEXT:      tile.store %y, %out[%c0, %n0] valid(%c2, %c16) : !tile.tile<8x16xbf16, ub> -> memref<2x1024xbf16>
func.func @linear_bf16(%x: memref<2x4096xbf16>, %w: memref<1024x4096xbf16>, %out: memref<2x1024xbf16>) {
  %zero = arith.constant 0.000000e+00 : f32
  %wt = memref.alloc() {alignment = 64 : i64} : memref<4096x1024xbf16>
  linalg.transpose ins(%w : memref<1024x4096xbf16>) outs(%wt : memref<4096x1024xbf16>) permutation = [1, 0]
  %acc = memref.alloc() {alignment = 64 : i64} : memref<2x1024xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<2x1024xf32>)
  linalg.matmul ins(%x, %wt : memref<2x4096xbf16>, memref<4096x1024xbf16>) outs(%acc : memref<2x1024xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%acc : memref<2x1024xf32>) outs(%out : memref<2x1024xbf16>) {
  ^bb0(%in: f32, %o: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  }
  return
}

// -----

// Not absorbed: something with a memory effect between the transpose and the
// matmul (it might write W), and a generic that is not a plain conversion.
// CHECK-LABEL: func.func @not_absorbed(
// CHECK:         linalg.transpose
// CHECK:         memref.store
// CHECK:           tile.load %wt[%i0, %n0] : memref<256x64xf32> -> !tile.tile<256x16xf32, ub>
// CHECK:           tile.transpose
// CHECK:         linalg.generic
// CHECK:           arith.addf
func.func @not_absorbed(%x: memref<1x256xf32>, %w: memref<64x256xf32>, %out: memref<1x64xf32>, %s: memref<1xf32>) {
  %zero = arith.constant 0.000000e+00 : f32
  %i0 = arith.constant 0 : index
  %wt = memref.alloc() : memref<256x64xf32>
  linalg.transpose ins(%w : memref<64x256xf32>) outs(%wt : memref<256x64xf32>) permutation = [1, 0]
  memref.store %zero, %s[%i0] : memref<1xf32>
  %acc = memref.alloc() : memref<1x64xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<1x64xf32>)
  linalg.matmul ins(%x, %wt : memref<1x256xf32>, memref<256x64xf32>) outs(%acc : memref<1x64xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%acc : memref<1x64xf32>) outs(%out : memref<1x64xf32>) {
  ^bb0(%in: f32, %o: f32):
    %t = arith.addf %in, %o : f32
    linalg.yield %t : f32
  }
  return
}
