// RUN: qopt %s -qt-outline-parallel-loops="min-work=1000" -split-input-file | FileCheck %s

// An scf.parallel big enough: its first dimension of more than one
// iteration is split (the batch dimension of size 1 is fixed to its lower
// bound); the others stay an scf.parallel inside the range loop. The
// workspace (thread-local: computed by the caller) is passed; the constant
// global and the constants are recomputed inside.
// CHECK-LABEL: func.func @elementwise
// CHECK-SAME: (%[[X:.*]]: memref<1x64x32xf32>, %[[Y:.*]]: memref<1x64x32xf32>)
// CHECK: %[[WS:.*]] = memref.get_global @__qt_workspace_elementwise_0
// CHECK: %[[N:.*]] = arith.constant 64 : index
// CHECK: call @__qopt_launch.elementwise.parallel0(%[[N]], %[[X]], %[[WS]])
// CHECK-NOT: scf.parallel
// CHECK: memref.copy %[[WS]], %[[Y]]
// CHECK: func.func private @elementwise.parallel0(%[[B:.*]]: index, %[[E:.*]]: index, %[[PX:.*]]: memref<1x64x32xf32>, %[[PW:.*]]: memref<1x64x32xf32>)
// CHECK: memref.get_global @bias
// CHECK: scf.for %[[J:.*]] = %[[B]] to %[[E]]
// CHECK: %[[I:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK: scf.parallel (%[[K:.*]]) =
// CHECK: memref.load %[[PX]][%{{.*}}, %[[I]], %[[K]]]
// CHECK: memref.store %{{.*}}, %[[PW]][%{{.*}}, %[[I]], %[[K]]]
// CHECK: func.func private @__qopt_launch.elementwise.parallel0(index, memref<1x64x32xf32>, memref<1x64x32xf32>)
module {
  memref.global "private" @__qt_workspace_elementwise_0 : memref<1x64x32xf32> = uninitialized
  memref.global "private" constant @bias : memref<32xf32> = dense<1.0>
  func.func @elementwise(%x: memref<1x64x32xf32>, %y: memref<1x64x32xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    %c64 = arith.constant 64 : index
    %ws = memref.get_global @__qt_workspace_elementwise_0 : memref<1x64x32xf32>
    %bias = memref.get_global @bias : memref<32xf32>
    scf.parallel (%n, %i, %k) = (%c0, %c0, %c0) to (%c1, %c64, %c32) step (%c1, %c1, %c1) {
      %v = memref.load %x[%n, %i, %k] : memref<1x64x32xf32>
      %b = memref.load %bias[%k] : memref<32xf32>
      %s = arith.addf %v, %b : f32
      memref.store %s, %ws[%n, %i, %k] : memref<1x64x32xf32>
    }
    memref.copy %ws, %y : memref<1x64x32xf32> to memref<1x64x32xf32>
    return
  }
}

// -----

// Loops below min-work, unmarked scf.for loops, and loops with reductions
// stay as they are.
// CHECK-LABEL: func.func @stays
// CHECK-NOT: call
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK: scf.parallel {{.*}} init
// CHECK-NOT: __qopt_launch
func.func @stays(%x: memref<8xf32>, %big: memref<4096xf32>, %out: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c4096 = arith.constant 4096 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    memref.store %zero, %x[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c4096 step %c1 {
    memref.store %zero, %big[%i] : memref<4096xf32>
  }
  %sum = scf.parallel (%i) = (%c0) to (%c4096) step (%c1) init (%zero) -> f32 {
    %v = memref.load %big[%i] : memref<4096xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  memref.store %sum, %out[] : memref<f32>
  return
}

// -----

// A marked scf.for (a kernel's column groups) of few iterations: the marked
// row loop inside it is split instead, once per column group. Of a
// non-unit step, iteration j is lb + j * step.
// CHECK-LABEL: func.func @kernel
// CHECK: scf.for %[[G:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: %[[N:.*]] = arith.constant 1024 : index
// CHECK: call @__qopt_launch.kernel.parallel0(%[[N]], %{{.*}}, %[[G]], %{{.*}})
// CHECK: } {qt.parallel}
// CHECK: func.func private @kernel.parallel0(%{{.*}}: index, %{{.*}}: index, %{{.*}}: memref<4096x2xf32>, %[[PG:.*]]: index,
// CHECK: %[[C4:.*]] = arith.constant 4 : index
// CHECK: scf.for %[[J:.*]] =
// CHECK: %[[JS:.*]] = arith.muli %[[J]], %[[C4]]
// CHECK: %[[ROW:.*]] = arith.addi %{{.*}}, %[[JS]]
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[ROW]], %[[PG]]]
func.func @kernel(%x: memref<4096x2xf32>, %y: memref<4096x2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c4096 = arith.constant 4096 : index
  scf.for %g = %c0 to %c2 step %c1 {
    scf.for %r = %c0 to %c4096 step %c4 {
      %v = memref.load %x[%r, %g] : memref<4096x2xf32>
      %w = arith.mulf %v, %v : f32
      %u = arith.mulf %w, %v : f32
      memref.store %u, %y[%r, %g] : memref<4096x2xf32>
    } {qt.parallel}
  } {qt.parallel}
  return
}

// -----

// A loop that would need a memref without a static shape stays serial.
// CHECK-LABEL: func.func @dynamic
// CHECK-NOT: __qopt_launch
// CHECK: scf.parallel
func.func @dynamic(%x: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4096 = arith.constant 4096 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c4096) step (%c1) {
    memref.store %zero, %x[%i] : memref<?xf32>
  }
  return
}

// -----

// AMX tile operations count 32 each (a tile multiply keeps the unit busy
// 16 cycles): 16 iterations of a tile zero and store pass min-work=1000
// (plain operations would count about 80) and are split.
// CHECK-LABEL: func.func @tiles
// CHECK: call @__qopt_launch.tiles.parallel0
// CHECK: func.func private @tiles.parallel0
// CHECK: amx.tile_store
func.func @tiles(%y: memref<256x16xi32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c256 = arith.constant 256 : index
  scf.for %r = %c0 to %c256 step %c16 {
    %t = amx.tile_zero : !amx.tile<16x16xi32>
    amx.tile_store %y[%r, %c0], %t : memref<256x16xi32>, !amx.tile<16x16xi32>
  } {qt.parallel}
  return
}

// -----

// Vector loads and stores count one operation per 16 bytes: 200 iterations
// of a 64-byte copy count 200 * (4 + 4 + 1) > 1000 and are split (at one
// per vector they would count 600); the same copy of 4-byte vectors
// (200 * 3) stays.
// CHECK-LABEL: func.func @copies
// CHECK: call @__qopt_launch.copies.parallel0
// CHECK-NOT: __qopt_launch
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} vector<4xi8>
// CHECK: func.func private @copies.parallel0
// CHECK: vector.transfer_read {{.*}} vector<64xi8>
func.func @copies(%x: memref<200x64xi8>, %y: memref<200x64xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c200 = arith.constant 200 : index
  %pad = arith.constant 0 : i8
  scf.for %i = %c0 to %c200 step %c1 {
    %v = vector.transfer_read %x[%i, %c0], %pad {in_bounds = [true]} : memref<200x64xi8>, vector<64xi8>
    vector.transfer_write %v, %y[%i, %c0] {in_bounds = [true]} : vector<64xi8>, memref<200x64xi8>
  } {qt.parallel}
  scf.for %i = %c0 to %c200 step %c1 {
    %v = vector.transfer_read %x[%i, %c0], %pad {in_bounds = [true]} : memref<200x64xi8>, vector<4xi8>
    vector.transfer_write %v, %y[%i, %c0] {in_bounds = [true]} : vector<4xi8>, memref<200x64xi8>
  } {qt.parallel}
  return
}

// -----

// A marked loop of few iterations whose marked inner loop is too small by
// itself (4 column groups of 10 rows of 30 operations: 300 each, 1200 in
// all): the outer loop is split.
// CHECK-LABEL: func.func @groups
// CHECK: %[[N:.*]] = arith.constant 4 : index
// CHECK: call @__qopt_launch.groups.parallel0(%[[N]]
// CHECK: func.func private @groups.parallel0
// CHECK: scf.for
// CHECK: scf.for
// CHECK: } {qt.parallel}
func.func @groups(%y: memref<4x10x30xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c10 = arith.constant 10 : index
  %c30 = arith.constant 30 : index
  %one = arith.constant 1.0 : f32
  scf.for %g = %c0 to %c4 step %c1 {
    scf.for %r = %c0 to %c10 step %c1 {
      scf.for %k = %c0 to %c30 step %c1 {
        memref.store %one, %y[%g, %r, %k] : memref<4x10x30xf32>
      }
    } {qt.parallel}
  } {qt.parallel}
  return
}
