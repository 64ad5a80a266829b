// RUN: qopt %s -convert-qt-to-packed-kernels=isa=avx512-vnni | FileCheck %s --check-prefix=ZMM
// RUN: qopt %s -convert-qt-to-packed-kernels=isa=avx512-vbmi | FileCheck %s --check-prefix=VBMI
// RUN: qopt %s -convert-qt-to-packed-kernels=isa=amx | FileCheck %s --check-prefix=VBMI
// RUN: qopt %s -convert-qt-to-packed-kernels=isa=avx2 | FileCheck %s --check-prefix=YMM
// RUN: qopt %s -convert-qt-to-packed-kernels=isa=neon-dotprod | FileCheck %s --check-prefix=NEON

// qt.table becomes byte shuffles over the flattened tensor (100 elements:
// one full zmm block of 64 and a masked tail of 36; three ymm blocks of 32
// and a tail of 4): the index u = x ^ 0x80, sixteen vpshufb on its low
// nibble, each holding 16 entries (T_h: entries 16h..16h+15, repeated in
// every 16-byte lane), chosen by the high nibble. Entry i here is
// i - 127, so T_0 starts at -127 and T_15 ends at -128 (wrapped).
// ZMM-LABEL: func.func @table
// ZMM: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2]] : tensor<1x4x25xi8> into tensor<100xi8>
// ZMM: scf.for %{{.*}} = %c0 to %c64 step %c64
// ZMM: arith.xori %{{.*}}, %{{.*}} : vector<64xi8>
// ZMM: arith.constant dense<[-127, -126, -125, -124, -123, -122, -121, -120, -119, -118, -117, -116, -115, -114, -113, -112, -127,
// ZMM: qt.x86_pshufb
// ZMM-COUNT-15: qt.x86_pshufb
// ZMM: vector.transfer_write {{.*}} {in_bounds = [true]} : vector<64xi8>, tensor<100xi8>
// ZMM: vector.transfer_read {{.*}} : tensor<100xi8>, vector<64xi8>
// ZMM: arith.constant dense<[113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, -128, 113,
// ZMM: vector.transfer_write {{.*}} : vector<64xi8>, tensor<100xi8>
// ZMM: tensor.expand_shape
// ZMM-NOT: qt.table
// With AVX-512 VBMI the stored byte x indexes E (E[r] = the entry of byte r,
// the table at r ^ 0x80): two vpermi2b of 128 entries each, chosen by x's
// sign (bit 7, which vpermi2b ignores); no xor.
// VBMI-LABEL: func.func @table
// VBMI: scf.for %{{.*}} = %c0 to %c64 step %c64
// VBMI: %[[X:.*]] = vector.transfer_read {{.*}} : tensor<100xi8>, vector<64xi8>
// VBMI-NOT: arith.xori
// VBMI: %[[E0:.*]] = arith.constant dense<[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64]> : vector<64xi8>
// VBMI: %[[E64:.*]] = arith.constant dense<[65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, -128]> : vector<64xi8>
// VBMI: %[[LO:.*]] = qt.x86_vpermi2b %[[E0]], %[[X]], %[[E64]] : vector<64xi8>
// VBMI: %[[E128:.*]] = arith.constant dense<[-127, -126, -125, -124, -123, -122, -121, -120, -119, -118, -117, -116, -115, -114, -113, -112, -111, -110, -109, -108, -107, -106, -105, -104, -103, -102, -101, -100, -99, -98, -97, -96, -95, -94, -93, -92, -91, -90, -89, -88, -87, -86, -85, -84, -83, -82, -81, -80, -79, -78, -77, -76, -75, -74, -73, -72, -71, -70, -69, -68, -67, -66, -65, -64]> : vector<64xi8>
// VBMI: %[[E192:.*]] = arith.constant dense<[-63, -62, -61, -60, -59, -58, -57, -56, -55, -54, -53, -52, -51, -50, -49, -48, -47, -46, -45, -44, -43, -42, -41, -40, -39, -38, -37, -36, -35, -34, -33, -32, -31, -30, -29, -28, -27, -26, -25, -24, -23, -22, -21, -20, -19, -18, -17, -16, -15, -14, -13, -12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, -1, 0]> : vector<64xi8>
// VBMI: %[[HI:.*]] = qt.x86_vpermi2b %[[E128]], %[[X]], %[[E192]] : vector<64xi8>
// VBMI: %[[NEG:.*]] = arith.cmpi slt, %[[X]], %{{.*}} : vector<64xi8>
// VBMI: arith.select %[[NEG]], %[[HI]], %[[LO]] : vector<64xi1>, vector<64xi8>
// VBMI-NOT: qt.x86_pshufb
// VBMI: vector.transfer_write {{.*}} : vector<64xi8>, tensor<100xi8>
// VBMI-NOT: qt.table
// YMM-LABEL: func.func @table
// YMM: scf.for %{{.*}} = %c0 to %c96 step %c32
// YMM-COUNT-16: qt.x86_pshufb %{{.*}}, %{{.*}} : vector<32xi8>
// YMM-NOT: qt.table
// AArch64: 16 bytes per step, four 64-entry tbl lookups of u, u - 64,
// u - 128 and u - 192 (an index past 64 gives 0), or-ed.
// NEON-LABEL: func.func @table
// NEON: scf.for %{{.*}} = %c0 to %c96 step %c16
// NEON: %[[U:.*]] = arith.xori
// NEON: %[[T0:.*]] = arith.constant dense<[-127, -126, -125, -124, -123, -122, -121, -120, -119, -118, -117, -116, -115, -114, -113, -112]> : vector<16xi8>
// NEON: %[[A:.*]] = qt.arm_tbl4 %[[T0]], %{{.*}}, %{{.*}}, %{{.*}}, %[[U]] : vector<16xi8>
// NEON: %[[U1:.*]] = arith.subi %[[U]], %{{.*}} : vector<16xi8>
// NEON: %[[B:.*]] = qt.arm_tbl4 %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[U1]]
// NEON: arith.ori %[[A]], %[[B]]
// NEON-COUNT-2: qt.arm_tbl4
// NEON-NOT: qt.table
// NEON-NOT: qt.x86_pshufb
func.func @table(%x: tensor<1x4x25x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x4x25x!quant.uniform<i8:f32, 0.25:-2>> {
  %y = qt.table %x, [-127, -126, -125, -124, -123, -122, -121, -120, -119, -118, -117, -116, -115, -114, -113, -112, -111, -110, -109, -108, -107, -106, -105, -104, -103, -102, -101, -100, -99, -98, -97, -96, -95, -94, -93, -92, -91, -90, -89, -88, -87, -86, -85, -84, -83, -82, -81, -80, -79, -78, -77, -76, -75, -74, -73, -72, -71, -70, -69, -68, -67, -66, -65, -64, -63, -62, -61, -60, -59, -58, -57, -56, -55, -54, -53, -52, -51, -50, -49, -48, -47, -46, -45, -44, -43, -42, -41, -40, -39, -38, -37, -36, -35, -34, -33, -32, -31, -30, -29, -28, -27, -26, -25, -24, -23, -22, -21, -20, -19, -18, -17, -16, -15, -14, -13, -12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, -128] : tensor<1x4x25x!quant.uniform<i8:f32, 0.5:3>> -> tensor<1x4x25x!quant.uniform<i8:f32, 0.25:-2>>
  return %y : tensor<1x4x25x!quant.uniform<i8:f32, 0.25:-2>>
}
