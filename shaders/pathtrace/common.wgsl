// Constants, small math helpers and the random number generator shared by every path-tracing kernel.

const PI: f32 = 3.14159265358979;
const TWO_PI: f32 = 6.28318530717959;
const INV_PI: f32 = 0.318309886183791;
const INV_TWO_PI: f32 = 0.159154943091895;
const F32_MAX: f32 = 0x1.fffffep+127f;

fn luminance(c: vec3f) -> f32 {
  return dot(c, vec3f(0.2126, 0.7152, 0.0722));
}

fn max3(c: vec3f) -> f32 {
  return max(c.x, max(c.y, c.z));
}

// Orthonormal basis around unit vector n (Duff et al. 2017, branchless).
struct Frame {
  t: vec3f,
  b: vec3f,
  n: vec3f,
}

fn make_frame(n: vec3f) -> Frame {
  let s = select(-1.0, 1.0, n.z >= 0.0);
  let a = -1.0 / (s + n.z);
  let b = n.x * n.y * a;
  return Frame(vec3f(1.0 + s * n.x * n.x * a, s * b, -s * n.x), vec3f(b, s + n.y * n.y * a, -n.y), n);
}

fn to_local(f: Frame, v: vec3f) -> vec3f {
  return vec3f(dot(v, f.t), dot(v, f.b), dot(v, f.n));
}

fn to_world(f: Frame, v: vec3f) -> vec3f {
  return f.t * v.x + f.b * v.y + f.n * v.z;
}

// ---- Random numbers: PCG hash seeded per (pixel, sample, seed, dimension stream). ----
var<private> rng_state: u32;

fn pcg_hash(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn rng_seed(a: u32, b: u32, c: u32) {
  rng_state = pcg_hash(a ^ pcg_hash(b ^ pcg_hash(c)));
}

fn rand_u32() -> u32 {
  rng_state = rng_state * 747796405u + 2891336453u;
  let s = rng_state;
  let word = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (word >> 22u) ^ word;
}

// Uniform in [0, 1).
fn rand() -> f32 {
  return f32(rand_u32() >> 8u) * (1.0 / 16777216.0);
}

fn rand2() -> vec2f {
  return vec2f(rand(), rand());
}

fn rand3() -> vec3f {
  return vec3f(rand(), rand(), rand());
}

// Owen-scrambled Sobol points in [0, 1)^2 (Burley 2020, "Practical Hash-based Owen Scrambling"): point `index` of
// the sequence scrambled by `seed`. Every point is uniform over the square for a random seed, and for one seed the
// points 0 .. 2^k - 1 form a (0, k, 2)-net: each of the 2^k equal boxes of any shape (1 x 2^k, 2 x 2^(k-1), ...)
// holds exactly one point. The index is shuffled within aligned blocks of powers of two, so that stays true.
fn laine_karras_permute(v: u32, seed: u32) -> u32 {
  var x = v + seed;
  x ^= x * 0x6c50b47cu;
  x ^= x * 0xb82f1e52u;
  x ^= x * 0xc7afe638u;
  x ^= x * 0x8d22f6e6u;
  return x;
}

fn nested_uniform_scramble(v: u32, seed: u32) -> u32 {
  return reverseBits(laine_karras_permute(reverseBits(v), seed));
}

// Second Sobol dimension (primitive polynomial x + 1); the first is reverseBits(index).
fn sobol_dim1(index: u32) -> u32 {
  var v = 1u << 31u;
  var r = 0u;
  var i = index;
  loop {
    if (i == 0u) { break; }
    if ((i & 1u) != 0u) { r ^= v; }
    i >>= 1u;
    v ^= v >> 1u;
  }
  return r;
}

fn sobol_owen2(index: u32, seed: u32) -> vec2f {
  let i = nested_uniform_scramble(index, seed);
  let x = nested_uniform_scramble(reverseBits(i), pcg_hash(seed ^ 0x9e3779b9u));
  let y = nested_uniform_scramble(sobol_dim1(i), pcg_hash(seed ^ 0x85ebca6bu));
  return vec2f(f32(x >> 8u), f32(y >> 8u)) * (1.0 / 16777216.0);
}
