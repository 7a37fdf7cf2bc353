// Prefix for fma-peak.wgsl: f32 arithmetic.
alias scalar = f32;
