// Prefix for fma-peak.wgsl: f16 arithmetic (needs the shader-f16 feature).
enable f16;
alias scalar = f16;
