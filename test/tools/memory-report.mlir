// RUN: qkv-opt --memory-report %s | filecheck %s --check-prefix=TEXT
// RUN: qkv-opt --memory-report=text --target ascend950 %s | filecheck %s --check-prefix=A5
// RUN: qkv-opt --memory-report=json %s | %python %S/Inputs/check_memory_json.py | filecheck %s --check-prefix=JSON
// RUN: qkv-opt --memory-report=svg %s | filecheck %s --check-prefix=SVG
// RUN: qkv-opt --memory-report=svg %s | %python -c "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.stdin); print('well-formed')" | filecheck %s --check-prefix=XML
// RUN: qkv-opt --memory-report %s -o %t.mlir | filecheck %s --check-prefix=TEXT
// RUN: filecheck %s --check-prefix=IR --input-file %t.mlir
// RUN: not qkv-opt --memory-report=html %s 2>&1 | filecheck %s --check-prefix=BAD

// The memory report of the F1.2 batch-1 form (kc = 1024) and of a cube task.

// TEXT: memory plan on ascend910b (ub 188,416 B usable, l1 524,288 B, l0a 65,536 B, l0b 65,536 B, l0c 131,072 B)
// TEXT-LABEL: task "k_proj" (vector) at {{.*}}memory-report.mlir:{{[0-9]+}}:5
// TEXT-NEXT: ub: peak 135,232 B of 188,416 B usable (71.8%), fits; at point 6 ('tile.transpose') live: %w_f32 65536 B, %w_t 65536 B, %x_f32 4096 B, %acc0 64 B
// TEXT-NEXT: buffer  kind  space  offset  size  live  op  type  values
// TEXT-NEXT: %acc0  tile  ub  135168  64  0..14  tile.load  tile<1x16xf32>  = %a, %a_next, %acc
// TEXT-NEXT: %x_blk  tile  ub  0  2048  2..3  tile.load  tile<1x1024xbf16>
// TEXT-NEXT: %x_f32  tile  ub  131072  4096  3..7  tile.cast  tile<1x1024xf32>
// TEXT-NEXT: %w_blk  tile  ub  0  32768  4..5  tile.load  tile<1024x16xbf16>
// TEXT-NEXT: %w_f32  tile  ub  65536  65536  5..6  tile.cast  tile<1024x16xf32>
// TEXT-NEXT: %w_t  tile  ub  0  65536  6..9  tile.transpose  tile<16x1024xf32>  = %prod
// TEXT-NEXT: %x_rows  tile  ub  65536  65536  7..8  tile.col_expand  tile<16x1024xf32>
// TEXT-NEXT: scratch of %part  scratch  ub  65536  65536  9..9  tile.row_sum  tile<16x1024xf32>
// TEXT-NEXT: %part  tile  ub  131072  64  9..11  tile.row_sum  tile<16x1xf32, col_major>  = %part_row
// TEXT-NEXT: program points:
// TEXT-NEXT: 0  'tile.load'  {{.*}}memory-report.mlir:{{[0-9]+}}:15
// TEXT: 13  end of 'scf.for'
// TEXT-NEXT: 14  'tile.store'
// TEXT-LABEL: task "mm" (cube)
// TEXT-NEXT: l1: peak 139,264 B of 524,288 B capacity (26.6%), fits
// TEXT-NEXT: l0a: peak 4,096 B of 65,536 B capacity (6.2%), fits; at point 2 ('tile.move') live: %a0 4096 B
// TEXT-NEXT: l0b: peak 65,536 B of 65,536 B capacity (100.0%), fits; at point 3 ('tile.move') live: %b0 65536 B
// TEXT-NEXT: l0c: peak 16,384 B of 131,072 B capacity (12.5%), fits
// Dead L0 tiles are reused: %a2 takes %a0's place, %b2 takes %b0's.
// TEXT: %a0 tile l0a 0 4096 2..4 tile.move
// TEXT-NEXT: %a2 tile l0a 0 4096 5..7 tile.move
// TEXT-NEXT: %b0 tile l0b 0 65536 3..4 tile.move
// TEXT-NEXT: %b2 tile l0b 0 65536 6..7 tile.move
// TEXT-NEXT: %acc tile l0c 0 16384 4..8 tile.matmul tile<16x256xf32> = %acc2
// TEXT: 2 task(s), 2 fit, 0 overflow

// On 950 row_sum needs no tmp: no scratch buffer, same peak (it is at the transpose).
// A5: memory plan on ascend950 (ub 245,760 B usable
// A5-LABEL: task "k_proj" (vector)
// A5-NEXT: ub: peak 135,232 B of 245,760 B usable (55.0%), fits
// A5-NOT: scratch
// A5: task "mm" (cube)

// JSON: schema 1 target ascend910b fits True tasks 2
// JSON-NEXT: task k_proj vector fits True
// JSON-NEXT: ub peak 135232 point 6 capacity 188416 live ['%w_f32', '%w_t', '%x_f32', '%acc0']
// JSON-NEXT: buffer %acc0 tile ub offset 135168 size 64 live 0..14 values ['%acc0', '%a', '%a_next', '%acc']
// JSON: buffer scratch of %part scratch ub offset 65536 size 65536 live 9..9 values []
// JSON: task mm cube fits True
// JSON: l0b peak 65536 point 3 capacity 65536 live ['%b0']

// SVG: <svg xmlns="http://www.w3.org/2000/svg"
// SVG: <title>qkv-opt memory plan on ascend910b</title>
// SVG: <g class="panel" data-task="k_proj" data-space="ub">
// SVG: task &quot;k_proj&quot; ub: peak 135,232 B of 188,416 B usable (71.8%)
// SVG: <rect {{.*}}><title>%w_t (tile.transpose) tile&lt;16x1024xf32&gt;: offset 0, 65536 B, points 6..9</title></rect>
// SVG: capacity 188,416 B
// SVG: <g class="panel" data-task="mm" data-space="l0b">
// SVG: </svg>

// XML: well-formed

// IR: tile.task vector "k_proj"
// IR: tile.task cube "mm"

// BAD: error: --memory-report takes one of text, json, svg, got 'html'

func.func @k_proj(%x: memref<1x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<1x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c1024 = arith.constant 1024 : index
  %c5120 = arith.constant 5120 : index
  %ckc = arith.constant 1024 : index
  scf.parallel (%n0) = (%c0) to (%c1024) step (%c16) {
    tile.task vector "k_proj" {
      %acc0 = tile.load %k[%c0, %n0] : memref<1x1024xf32> -> !tile.tile<1x16xf32, ub>
      %acc = scf.for %k0 = %c0 to %c5120 step %ckc iter_args(%a = %acc0) -> (!tile.tile<1x16xf32, ub>) {
        %x_blk = tile.load %x[%c0, %k0] : memref<1x5120xbf16> -> !tile.tile<1x1024xbf16, ub>
        %x_f32 = tile.cast %x_blk : !tile.tile<1x1024xbf16, ub> -> !tile.tile<1x1024xf32, ub>
        %w_blk = tile.load %wk[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<1024x16xbf16, ub>
        %w_f32 = tile.cast %w_blk : !tile.tile<1024x16xbf16, ub> -> !tile.tile<1024x16xf32, ub>
        %w_t = tile.transpose %w_f32 : !tile.tile<1024x16xf32, ub> -> !tile.tile<16x1024xf32, ub>
        %x_rows = tile.col_expand %x_f32 : !tile.tile<1x1024xf32, ub> -> !tile.tile<16x1024xf32, ub>
        %prod = tile.mul %w_t, %x_rows : !tile.tile<16x1024xf32, ub>
        %part = tile.row_sum %prod : !tile.tile<16x1024xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
        %part_row = tile.reshape %part : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
        %a_next = tile.add %a, %part_row : !tile.tile<1x16xf32, ub>
        scf.yield %a_next : !tile.tile<1x16xf32, ub>
      }
      tile.store %acc, %k[%c0, %n0] : !tile.tile<1x16xf32, ub> -> memref<1x1024xf32>
    }
    scf.reduce
  }
  func.return
}

func.func @mm(%a: memref<16x256xbf16>, %b: memref<256x256xbf16>, %y: memref<16x256xf32>) {
  %c0 = arith.constant 0 : index
  %c128 = arith.constant 128 : index
  tile.task cube "mm" {
    %a1 = tile.load %a[%c0, %c0] : memref<16x256xbf16> -> !tile.tile<16x256xbf16, l1>
    %b1 = tile.load %b[%c0, %c0] : memref<256x256xbf16> -> !tile.tile<256x256xbf16, l1>
    %a0 = tile.move %a1[%c0, %c0] : !tile.tile<16x256xbf16, l1> -> !tile.tile<16x128xbf16, l0a>
    %b0 = tile.move %b1[%c0, %c0] : !tile.tile<256x256xbf16, l1> -> !tile.tile<128x256xbf16, l0b>
    %acc = tile.matmul %a0, %b0 : !tile.tile<16x128xbf16, l0a>, !tile.tile<128x256xbf16, l0b> -> !tile.tile<16x256xf32, l0c>
    %a2 = tile.move %a1[%c0, %c128] : !tile.tile<16x256xbf16, l1> -> !tile.tile<16x128xbf16, l0a>
    %b2 = tile.move %b1[%c128, %c0] : !tile.tile<256x256xbf16, l1> -> !tile.tile<128x256xbf16, l0b>
    %acc2 = tile.matmul_acc %acc, %a2, %b2 : !tile.tile<16x256xf32, l0c>, !tile.tile<16x128xbf16, l0a>, !tile.tile<128x256xbf16, l0b> -> !tile.tile<16x256xf32, l0c>
    tile.store %acc2, %y[%c0, %c0] atomic add : !tile.tile<16x256xf32, l0c> -> memref<16x256xf32>
  }
  func.return
}
