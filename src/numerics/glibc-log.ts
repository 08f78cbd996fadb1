/**
 * glibc's double-precision natural logarithm, ported bit for bit, as NumPy's legacy
 * `gauss` gets it from this machine's libm: glibc 2.36 on x86-64, where `log` resolves
 * (ifunc) to `__log_fma`, sysdeps/ieee754/dbl-64/e_log.c built with -mfma -mavx2.
 *
 * Why a port: V8's Math.log disagrees with glibc in the last bit for ~7% of inputs, and
 * glibc's log is not correctly rounded either (~0.07% of inputs), so only the same
 * algorithm with the same roundings reproduces it. In that build `__FP_FAST_FMA` is
 * defined and GCC contracts `a * b + c` into fused multiply-adds; which operations are
 * fused was read off the disassembly of `__log_fma` (`vfmadd…sd`), and each one is
 * marked `fma` below. A fused product that is exact (a power of two, or few enough
 * significant bits) is written as a plain product: one rounding either way.
 *
 * Speed: the hot functions (glibcLog, logTable, mulMinus1, logNear1) are kept under
 * V8's inlining budget (460 bytes of bytecode each, 920 for everything inlined into
 * one caller), so that all four inline into the caller's loop: a call that is not
 * inlined boxes its double argument and result (on legacy_gauss's r^2, a near-1 path
 * left out of line made the average call 29 ns instead of 22.5).
 * Hence literal constants there (a module constant costs a hole check in bytecode),
 * and the exact-fma tails in separate functions that are rarely reached.
 */
import { fma, sum3 } from './fma.ts';

// Data from glibc's sysdeps/ieee754/dbl-64/e_log_data.c (__log_data, LOG_TABLE_BITS = 7,
// LOG_POLY_ORDER = 6, LOG_POLY1_ORDER = 12), extracted from libm.so.6's .rodata and
// written as shortest round-trip decimals (each parses to the identical double).

// ln2 high part LN2HI = 0x1.62e42fefa3800p-1 = 0.6931471805598903 (in logTable): 38
// significant bits, so k * LN2HI is exact for any exponent k.
/** ln2 low part, 0x1.ef35793c76730p-45: 49 significant bits, so k * LN2LO is exact for |k| < 16. */
const LN2LO = 5.497923018708371e-14;
// log1p(r) - r ~ A0 r^2 + A1 r^3 + ... + A4 r^6 on the main path (|r| < 0x1.fp-9), with
// A0 = -0x1.0000000000001p-1 = -0.5000000000000001 (in logTable).
/** A0 is exactly A0_HI + A0_LO = -0.5 - 2^-53. */
const A0_HI = -0.5;
const A0_LO = -1.1102230246251565e-16;
const A1 = 0.33333333331825593;
const A2 = -0.2499999999622955;
const A3 = 0.20000304511814496;
const A4 = -0.16667054827627667;
/** log1p(r) ~ r + B0 r^2 + ... + B10 r^11 near x = 1 (-0x1p-4 <= r < 0x1.09p-4); B0 = -0.5. */
const B0 = -0.5;
const B1 = 0.3333333333333352;
const B2 = -0.24999999999998432;
const B3 = 0.19999999999320328;
const B4 = -0.16666666669929706;
const B5 = 0.14285715076560868;
const B6 = -0.12499997863982555;
const B7 = 0.11110712032936046;
const B8 = -0.10000486757818193;
const B9 = 0.09181994006195467;
const B10 = -0.08328363062289341;
/** 128 pairs (invc, logc): 1/c and log(c) for c near the centre of each subinterval of [0x1.6p-1, 0x1.6p0). */
const TAB = new Float64Array([
  1.4504249240398293, -0.3718565645633589,
  1.442253508327276, -0.36620682668944937,
  1.4341736174350004, -0.3605888069791945,
  1.426183816329995, -0.3550022171419869,
  1.4182825527052965, -0.34944666968829097,
  1.4104682921759335, -0.3439217713603284,
  1.4027396147468003, -0.3384271921261188,
  1.3950954438932313, -0.332962831494342,
  1.3875338232485754, -0.32752794345742586,
  1.3800539211058593, -0.32212257167088865,
  1.3726542695419708, -0.3167462884799761,
  1.3653332798446802, -0.3113985598928366,
  1.358090204587874, -0.3060794515165526,
  1.3509234892132138, -0.300788424667644,
  1.3438320840699889, -0.2955252968476998,
  1.3368146974742003, -0.29028969275850613,
  1.329870114677736, -0.2850812793277555,
  1.322997339161106, -0.27989987391470095,
  1.316195352741367, -0.27474526621870154,
  1.3094628125672239, -0.2696169863701243,
  1.3027990455471041, -0.26451506180308115,
  1.2962024229438942, -0.2594387762767383,
  1.2896726275815547, -0.2543884090981692,
  1.2832080305745537, -0.24936321635129843,
  1.276807885983376, -0.24436312405975968,
  1.2704714060687552, -0.23938801747897287,
  1.2641976054949482, -0.23443761696705678,
  1.257985357514882, -0.22951151871518505,
  1.2518337750655457, -0.2246094963439873,
  1.2457421919097305, -0.21973149037705753,
  1.2397094966625508, -0.2148770752847895,
  1.2337348463589233, -0.210046029103637,
  1.2278176973028803, -0.20523836373934046,
  1.2219570190618474, -0.20045368751368642,
  1.2161519732977757, -0.1956917537758045,
  1.2104018095009725, -0.19095237845203883,
  1.204705805718973, -0.18623539250290833,
  1.1990631185441964, -0.18154051731551135,
  1.1934733004462308, -0.1768677957431919,
  1.1879350812847385, -0.17221657406412305,
  1.1824481322833125, -0.16758697765942543,
  1.1770114976921955, -0.16297859687290384,
  1.1716248121809465, -0.15839151377804228,
  1.1662869231674715, -0.15382513241456763,
  1.1609977486762766, -0.14927976358922024,
  1.1557563220795803, -0.14475495398119165,
  1.1505619105480347, -0.14025044090817573,
  1.1454138888505974, -0.1357660466685502,
  1.140311877374656, -0.1313018016355727,
  1.1352550225747513, -0.12685731518763532,
  1.1302429094831266, -0.1224325737671279,
  1.1252747693068048, -0.11802724521862729,
  1.1203501571039876, -0.11364127671663482,
  1.1154683327680124, -0.10927434611278386,
  1.1106291463292157, -0.10492665324943573,
  1.1058315813301596, -0.10059761422644442,
  1.1010752177696026, -0.09628717309055901,
  1.0963597137952512, -0.09199534069557558,
  1.0916844827550398, -0.08772190036688698,
  1.0870487291277784, -0.08346643613867855,
  1.082452357388312, -0.07922916827544668,
  1.0778948225025884, -0.0750099004750382,
  1.0733751731601076, -0.07080805133352897,
  1.068893585073351, -0.06662408085151128,
  1.0644491706655506, -0.06245745471915143,
  1.0600414846328305, -0.0583080438042316,
  1.0556701316181605, -0.05417576112313327,
  1.051334750556926, -0.050060547896805474,
  1.0470347288442157, -0.045962101199052086,
  1.0427699229652954, -0.04188056008865715,
  1.0385395013738175, -0.03781540056183985,
  1.034343418940345, -0.03376684757915882,
  1.0301811073173315, -0.029734619131772888,
  1.026052043621297, -0.025718470239212365,
  1.0219561082336197, -0.021718543925430822,
  1.0178926505784922, -0.01773446126981071,
  1.0138614436244586, -0.013766252464051831,
  1.0098620186501341, -0.009813706322574944,
  1.0058938559734134, -0.005876555150052809,
  1.00195696235014, -0.0019550499938532084,
  0.9961089923088509, 0.0038985973556009412,
  0.9884170338185201, 0.011650571286395461,
  0.9808429191005297, 0.019342955478919066,
  0.9733840169987446, 0.0269766014846482,
  0.9660377568876556, 0.034552359728422744,
  0.9588014945307369, 0.04207121767183253,
  0.9516728569073111, 0.049533940950141186,
  0.9446494635965822, 0.056941358295944156,
  0.9377288993026223, 0.06429439168346107,
  0.9309091073790681, 0.0715936354946507,
  0.924187681612722, 0.07884010933776153,
  0.9175626765599192, 0.08603438905970506,
  0.9110320403624034, 0.09317721180013905,
  0.9045935839762024, 0.10026951462748457,
  0.8982456375922825, 0.10731170956330516,
  0.8919860966782501, 0.11430473320717738,
  0.8858131121185129, 0.12124928503033061,
  0.879725075760676, 0.12814583422959913,
  0.8737201372634685, 0.1349951636851756,
  0.8677966405782273, 0.1417978768189414,
  0.8619528050060739, 0.14855476039031146,
  0.8561872354420692, 0.1552661937658968,
  0.8504983927816893, 0.16193275688146969,
  0.8448844572790304, 0.16855539792220497,
  0.8393442741575965, 0.1751343179947753,
  0.8338762249349438, 0.1816702989864325,
  0.8284789320557778, 0.18816387146023317,
  0.8231510800065832, 0.1946155228479256,
  0.8178913903778707, 0.20102572579389744,
  0.8126984007245374, 0.2073952090795501,
  0.8075710029460227, 0.21372429840596396,
  0.8025078881160415, 0.2200135945981856,
  0.7975077379364331, 0.22626374162859975,
  0.792569604966373, 0.23247494747693054,
  0.7876923641254114, 0.23864766620658884,
  0.7828746724940998, 0.24478265647405806,
  0.7781155388790811, 0.25088025827324145,
  0.7734139557869777, 0.2569408552510595,
  0.7687687179914933, 0.26296511155101143,
  0.7641790698041854, 0.2689531327189343,
  0.7596438763692399, 0.27490553924610595,
  0.7551621951078668, 0.2808227248478943,
  0.7507331780216866, 0.286704979267256,
  0.7463557196361751, 0.29255295645509705,
  0.7420289364869653, 0.2983670386142876,
  0.7377521537065876, 0.30414734587282055,
  0.7335242966002608, 0.30989455774829366,
  0.729344777457841, 0.31560871301871884,
]);

/** Veltkamp splitter for 53-bit significands: 2^27 + 1. */
const SPLIT = 134217729;

/**
 * Per subinterval i, at 4 i: invc, logc, and invc = ch + cl split in halves of 26 bits
 * (Veltkamp), so that Dekker's product gives z * invc exactly.
 */
const T4 = new Float64Array(512);
for (let i = 0; i < 128; i++) {
  const c = TAB[2 * i];
  const t = SPLIT * c;
  T4[4 * i] = c;
  T4[4 * i + 1] = TAB[2 * i + 1];
  T4[4 * i + 2] = t - (t - c);
  T4[4 * i + 3] = c - T4[4 * i + 2];
}

/**
 * The polynomial coefficients and ln2 parts, for MT19937's WebAssembly port of the two
 * paths (wasm/mt19937.wat takes them from here when it is built). The hot functions above
 * write the same values as literals (see the note on speed at the top); the test of the
 * port holds both to glibc's results.
 */
export const LOG_COEFFICIENTS = {
  LN2HI: 0.6931471805598903,
  LN2LO,
  A0: A0_HI + A0_LO,
  A1,
  A2,
  A3,
  A4,
  B1,
  B2,
  B3,
  B4,
  B5,
  B6,
  B7,
  B8,
  B9,
  B10,
} as const;

/** T4, for MT19937's WebAssembly port of the main path, which copies it into its memory. */
export const LOG_TABLE = T4;

/** 2^(e - POW2_BIAS) for e in [0, 2 POW2_BIAS). */
const POW2_BIAS = 1100;
const POW2 = new Float64Array(2 * POW2_BIAS);
for (let e = 0; e < 2 * POW2_BIAS; e++) POW2[e] = 2 ** (e - POW2_BIAS);

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/*
 * The fast paths evaluate glibc's tail y (a small correction to hi; the result is
 * RN(hi + y)) with plain operations in glibc's order, each fma(a, b, c) becoming
 * RN(RN(a b) + c), and keep RN(hi + y) only if every y' within a bound of y rounds
 * alike. Propagating u = 2^-53 per rounding through each path's terms bounds glibc's
 * fused y' by:
 *   main path (|r| < 2^-8):  |y - y'| <= u (7.2 |lo| + 2.6 r^2)   (lo's own fma taken
 *     unfused too: exact for |k| < 16, off by <= 3.2 u |lo| beyond)
 *   near 1 (|r| < 0x1.09p-4): |y - y'| <= 9.7 u |poly| + 4 u |lo0| + 5 u |m (rhi + r)|
 *     <= 2^-49 |poly| + 2^-100 |r|   (|lo0| <= u |hi|, |m| <= 2^-27 |r|)
 * The checks use 2^-49 (|lo| + 2 r^2), about twice the first, and the second; both
 * ends y +- 2 bound are tested (`hi + (y + s) === hi + (y - s)` with s twice the
 * bound) because they are themselves rounded, by far less than the bound. Measured
 * on r^2 as legacy_gauss draws it: the exact tail is needed for 0.05% of main-path
 * inputs and 2% of near-1 ones (the earlier 2^-45 bound: 0.6% and 34%).
 */

/**
 * glibc 2.36's `log(x)` (the `__log_fma` variant), bit for bit. Positive finite inputs
 * (subnormals included) take glibc's paths; otherwise it returns what glibc returns:
 * -Infinity for ±0, NaN for negative or NaN inputs, Infinity for Infinity.
 */
export function glibcLog(x: number): number {
  // The near-1 path covers [1 - 0x1p-4, 1 + 0x1.09p-4).
  if (x >= 0.9375 && x < 1.064697265625) return logNear1(x);
  // Normal x (>= 0x1p-1022) below 2^996, where SPLIT * x cannot overflow.
  if (x >= 2.2250738585072014e-308 && x < 6.696928794914171e299) return logTable(x, 0);
  return logSpecial(x);
}

/** Zeros, negatives, NaN and Infinity as glibc answers them; subnormal and huge x scaled by 2^-+52 into the table path. */
function logSpecial(x: number): number {
  if (x === 0) return -Infinity;
  if (!(x > 0)) return NaN;
  if (x === Infinity) return x;
  return x < 1 ? logTable(x * 4503599627370496, 52) : logTable(x / 4503599627370496, -52);
}

/** glibc's main path for xn = x 2^scaled, a normal double below 2^996. */
function logTable(xn: number, scaled: number): number {
  // On the 64-bit pattern ix: tmp = ix - OFF (OFF = 0x3fe6000000000000), i = (tmp >> 45)
  // % 128, k = tmp >> 52 (arithmetic), z = ix - (tmp & 0xfff << 52), i.e. x / 2^k. OFF's
  // low word is 0, so only the high word is needed.
  bits[0] = xn;
  const tmp = (words[1] - 0x3fe60000) | 0;
  const j = (tmp >>> 11) & 0x1fc; // 4 i
  const kn = tmp >> 20;
  const k = kn - scaled;
  // z = xn / 2^kn by a power-of-two product (exact) rather than by rewriting the exponent
  // bits: a 32-bit store then 64-bit load of the same double stalls store forwarding.
  const r = mulMinus1(xn, POW2[POW2_BIAS - kn], j);
  const w = k * 0.6931471805598903 + T4[j + 1]; // fma(k, LN2HI, logc); the product is exact
  const hi = w + r;
  const lo0 = w - hi + r;
  const r2 = r * r;

  // glibc: lo = fma(k, LN2LO, lo0); y = fma(r3, fma(fma(r, A4, A3), r2, fma(r, A2, A1)),
  // fma(r2, A0, lo)); hi + y. Unfused here (see above), the fmas only when needed.
  const lo = lo0 + k * 5.497923018708371e-14; // LN2LO
  const y =
    lo +
    r2 * -0.5000000000000001 + // A0
    r * r2 * (0.33333333331825593 + r * -0.2499999999622955 + r2 * (0.20000304511814496 + r * -0.16667054827627667)); // A1..A4
  const s = (Math.abs(lo) + 2 * r2) * 2 ** -48;
  return hi + (y + s) === hi + (y - s) ? hi + y : hi + fusedTail(r, k, lo0);
}

/**
 * fma(z, invc, -1) for z = x p (p a power of two, so exact) and invc = T4[j]: Dekker's
 * product z * invc = ph + pl is exact, ph is within 1/64 of 1, so ph - 1 is exact
 * (Sterbenz) and one rounded addition gives the fma. x is split before the scaling so
 * that the split does not wait for p.
 */
function mulMinus1(x: number, p: number, j: number): number {
  const t = SPLIT * x;
  const xh = t - (t - x);
  const zh = xh * p;
  const zl = (x - xh) * p;
  const ph = x * p * T4[j];
  const ch = T4[j + 2];
  const cl = T4[j + 3];
  return ph - 1 + (zl * cl - (ph - zh * ch - zl * ch - zh * cl));
}

/** The main path's y exactly as glibc computes it, with its six fmas. */
function fusedTail(r: number, k: number, lo0: number): number {
  const r2 = r * r;
  const lo = fma(k, LN2LO, lo0);
  const p = fma(fma(r, A4, A3), r2, fma(r, A2, A1));
  // fma(r2, A0, lo): A0 = A0_HI + A0_LO exactly, so the product is the exact pair
  // r2 * A0_HI, r2 * A0_LO and only the sum needs care.
  return fma(r * r2, p, sum3(lo, r2 * A0_HI, r2 * A0_LO));
}

/**
 * The path for x in [1 - 0x1p-4, 1 + 0x1.09p-4), where log(x) is small: r = x - 1 is
 * split in two (rhi of 26 bits) so that r + B0 r^2 is formed exactly as hi + lo.
 */
function logNear1(x: number): number {
  if (x === 1) return 0;
  const r = x - 1;
  const r2 = r * r;
  const r3 = r * r2;
  // rhi = r + w - w with w = r * 2^27: exact products, so fused or not they round once.
  const w = r * 134217728 + r;
  const rhi = w - r * 134217728;
  const hh = -0.5 * rhi * rhi; // B0 rhi^2, exact: 26-bit operands
  const hi = r + hh; // fma; exact product
  const lo0 = r - hi + hh; // fma; exact product

  // glibc: y = fma(poly, r3, fma(m, rhi + r, lo0)) with m = B0 rlo (exact) and poly
  // eleven nested fmas; hi + y. Unfused here (see above), the fmas only when needed.
  const poly =
    r3 *
    (0.3333333333333352 + r * -0.24999999999998432 + r2 * 0.19999999999320328 + // B1..B3
      r3 *
        (-0.16666666669929706 + r * 0.14285715076560868 + r2 * -0.12499997863982555 + // B4..B6
          r3 * (0.11110712032936046 + r * -0.10000486757818193 + r2 * 0.09181994006195467 + r3 * -0.08328363062289341))); // B7..B10
  const y = lo0 + -0.5 * (r - rhi) * (rhi + r) + poly;
  const s = Math.abs(poly) * 2 ** -48 + Math.abs(r) * 2 ** -99;
  return hi + (y + s) === hi + (y - s) ? hi + y : hi + fusedNear1Tail(r, rhi, lo0);
}

/** The near-1 path's y exactly as glibc computes it: eleven fmas for the polynomial, two more around it. */
function fusedNear1Tail(r: number, rhi: number, lo0: number): number {
  const r2 = r * r;
  const r3 = r * r2;
  const q1 = fma(r2, B3, fma(r, B2, B1));
  const q4 = fma(r2, B6, fma(r, B5, B4));
  const q7 = fma(r3, B10, fma(r2, B9, fma(r, B8, B7)));
  const p = fma(fma(q7, r3, q4), r3, q1);
  return fma(p, r3, fma(B0 * (r - rhi), rhi + r, lo0));
}
