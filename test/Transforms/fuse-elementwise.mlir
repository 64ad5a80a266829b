// RUN: qopt %s -qt-fuse-elementwise -split-input-file | FileCheck %s

// A producer read once per value by its consumer fuses into it.
// CHECK-LABEL: func.func @once
// CHECK-COUNT-1: linalg.generic
// CHECK-NOT: linalg.generic
#id = affine_map<(d0) -> (d0)>
func.func @once(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %in : f32
    linalg.yield %d : f32
  } -> tensor<8xf32>
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<8xf32>
  return %b : tensor<8xf32>
}

// -----

// A gather that reads each value several times (here im2col-like: window
// of 3 over 8 values) keeps its producer apart: fusing would compute the
// division 3 times per value.
// CHECK-LABEL: func.func @gather
// CHECK: arith.divf
// CHECK: linalg.yield
// CHECK: linalg.generic
// CHECK-NOT: arith.divf
#in = affine_map<(d0, d1) -> (d0 + d1)>
#out = affine_map<(d0, d1) -> (d0, d1)>
#id1 = affine_map<(d0) -> (d0)>
func.func @gather(%x: tensor<8xf32>) -> tensor<6x3xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %a = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %in : f32
    linalg.yield %d : f32
  } -> tensor<8xf32>
  %e2 = tensor.empty() : tensor<6x3xf32>
  %p = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<8xf32>) outs(%e2 : tensor<6x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<6x3xf32>
  return %p : tensor<6x3xf32>
}

// -----

// A producer read by its consumer and by a calibration probe fuses: the
// fused op keeps the value as a second result, and the probe (moved after
// the fused op) reads it. The division is computed once.
// CHECK-LABEL: func.func @probed
// CHECK: %[[F:.*]]:2 = linalg.generic
// CHECK: arith.divf
// CHECK: arith.mulf
// CHECK: linalg.yield
// CHECK: %[[B:.*]] = bufferization.to_buffer %[[F]]#0 read_only {qt.probe}
// CHECK: %[[P:.*]] = memref.extract_aligned_pointer_as_index %[[B]]
// CHECK: call @observe(%[[P]])
// CHECK: return %[[F]]#1
// CHECK-NOT: linalg.generic
#id = affine_map<(d0) -> (d0)>
func.func private @observe(index)
func.func @probed(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %in : f32
    linalg.yield %d : f32
  } -> tensor<8xf32>
  %buf = bufferization.to_buffer %a read_only {qt.probe} : tensor<8xf32> to memref<8xf32>
  %ptr = memref.extract_aligned_pointer_as_index %buf : memref<8xf32> -> index
  call @observe(%ptr) : (index) -> ()
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<8xf32>
  return %b : tensor<8xf32>
}

// -----

// A producer with a user besides its consumer and the probe stays apart.
// CHECK-LABEL: func.func @second_use
// CHECK: arith.divf
// CHECK: bufferization.to_buffer
// CHECK: linalg.generic
// CHECK: arith.mulf
#id = affine_map<(d0) -> (d0)>
func.func private @observe(index)
func.func @second_use(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %e = tensor.empty() : tensor<8xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %in : f32
    linalg.yield %d : f32
  } -> tensor<8xf32>
  %buf = bufferization.to_buffer %a read_only {qt.probe} : tensor<8xf32> to memref<8xf32>
  %ptr = memref.extract_aligned_pointer_as_index %buf : memref<8xf32> -> index
  call @observe(%ptr) : (index) -> ()
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<8xf32>
  return %a, %b : tensor<8xf32>, tensor<8xf32>
}
