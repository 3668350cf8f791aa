# Fixed finding (strata-difftest --kind bpf --seed 0x2000, batch 27, program 29, seed 0xc25b4399fe65db5b):
# tier 2 with -O2 (Strata -O2, then LLVM default<O3>) never finished: LLVM 19's InstCombine looped forever,
# allocating without bound, on the loop that does `neg32 %r2; lsh %r2, ...` with %r2 dead after it.
# Fixed by running LLVM with -instcombine-negator-enabled=false (backends/llvm/src/target.rs);
# regression test backends/llvm/tests/termination.rs (the reduced loop). The batch now compiles in 0.5 s:
# cargo run --release -p strata-testgen --example slow_bpf -- 2000 27 0 32
mov %r9, %r1
mov %r8, %r2
mov %r0, 47
mov %r1, -10
mov %r2, 31
lddw %r3, 0xaad46685fdc35c39
mov %r4, 25
lddw %r5, 0xf47c5b6dae4f32b
mov %r6, -7
mov %r7, 754936404
mov %r6, %r9
add %r6, 65
lock add32 [%r6-2], %r1
arsh %r4, 13
mov %r6, %r9
add %r6, 38
lock xchg [%r6+2], %r0
mov %r6, %r9
add %r6, 44
lock xchg [%r6+1], %r1
mov %r6, %r9
add %r6, 31
lock add32 [%r6-4], %r3
mov %r7, 4
mov %r6, %r10
add %r6, -406
stb [%r6+0], 20
mod %r5, %r4
neg %r5
lddw %r1, 0x1cb97ad02658f9ef
neg32 %r4
neg %r3
le64 %r0
mov %r6, %r10
add %r6, -282
lock fetch or32 [%r6+1], %r4
sub %r7, 1
jne %r7, 0, -15
mov %r6, %r9
add %r6, 51
stxdw [%r6-4], %r4
jslt32 %r0, %r4, +59
lsh32 %r5, %r3
ja +25
mov %r6, %r9
add %r6, 19
stdw [%r6-2], 16
lsh %r5, 2065877225
mov %r6, %r9
add %r6, 43
lock cmpxchg [%r6+4], %r3
mov %r7, 6
mov %r6, %r9
add %r6, 27
lock or32 [%r6+1], %r1
sub %r1, 345552722
neg %r5
mov %r6, %r9
add %r6, 26
stdw [%r6-1], -1819231688
mod %r3, %r3
sub %r7, 1
jgt %r7, 0, -11
mul32 %r2, 1344361872
neg %r4
neg %r3
mov %r6, %r10
add %r6, -268
lock fetch or32 [%r6-1], %r0
jsge %r1, -12, +8
rsh32 %r2, 607879094
lddw %r0, 0xd974ac1a244b347
mov %r6, %r9
add %r6, 56
stxb [%r6+1], %r4
rsh %r1, %r7
exit
or32 %r2, %r2
jne %r1, %r0, +15
mov %r6, %r9
add %r6, 3
lock and32 [%r6+2], %r2
mov %r7, 2
neg32 %r2
bswap16 %r4
lsh %r2, %r0
sub %r7, 1
jgt %r7, 0, -5
mov %r6, %r9
add %r6, 13
lock xor [%r6+1], %r5
bswap32 %r5
rsh %r1, 0
exit
mov %r6, %r10
add %r6, -317
stw [%r6+2], 37
mov %r6, %r9
add %r6, 20
stxdw [%r6-3], %r2
exit

