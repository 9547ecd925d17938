#!/usr/bin/env python3
#===- bench/f32-model.py - numerical model of the accurate f32 kernel -----===#
#
# Runs HERE (numpy only, no GPU): the arithmetic of fa2's accurate f32 kernel
# on FlashAttention's (seq_q, seq_k) pairs, normal inputs times MULT, against
# an f64 reference, beside an f32 math path (numpy's f32 GEMMs and softmax,
# standing in for PyTorch's). Two schemes:
#   f16x2: each operand scaled by a power of two per 16-row group, split into
#          two f16 pieces, three piece products per k16 step (the kernel now);
#   bf16x3: three bf16 pieces, six products (the kernel before).
# Each k-step's piece products are exact (as on the tensor cores) and rounded
# to f32 once, then added to the f32 accumulator with the group's inverse
# factor (one rounding, the kernel's FMA). The softmax is taken against the
# row's true max (P <= 1, P·2^7 split), which is the pessimistic case for the
# f16 pieces of P (the kernel's lazily rescaled P reaches 2^8 and is split as
# P·2^7). Prints the worst max-error ratio to the f32 math path per (d, causal).
#
#   python3 bench/f32-model.py [SEED] [HEADS] [MULT]
#===----------------------------------------------------------------------===#
# per-k-step exact piece products rounded to f32, accumulator adds in f32.
import numpy as np, sys
f32, f64, f16 = np.float32, np.float64, np.float16
def bf16(x):
    x = np.asarray(x, f32); b = x.view(np.uint32).astype(np.uint64)
    r = ((b + 0x7fff + ((b >> 16) & 1)) >> 16) << 16
    return r.astype(np.uint32).view(f32)
def split_bf16(x, n=3):
    out=[]; rest=x.astype(f32)
    for i in range(n):
        p=bf16(rest); out.append(p.astype(f64)); rest=(rest-p).astype(f32)
    return out
def split_f16(x):
    hi=x.astype(f16); lo=(x-hi.astype(f32)).astype(f32).astype(f16)
    return [hi.astype(f64), lo.astype(f64)]
def group_scale(x, axis_rows, g=16):
    # power-of-2 per 16-row group so that max|x'| < 2^15
    rows=x.shape[0]; s=np.ones(rows, f32)
    for r0 in range(0, rows, g):
        m=np.abs(x[r0:r0+g]).max()
        e=np.frexp(f64(m))[1] if m>0 else -126  # m < 2^e
        a=15-e; s[r0:r0+g]=f32(2.0**a)
    return s
PROD={3:[(2,0),(1,1),(0,2),(1,0),(0,1),(0,0)], 2:[(1,0),(0,1),(0,0)]}
def mm_pieces(A, B, kstep, scheme, colfac=None, kfac=None):
    # A: [M,K] pieces list, B: [K,N] pieces list; per k-step sum of products (exact->f32),
    # then acc = acc + sum*fac (f32, one rounding as FMA).
    M=A[0].shape[0]; N=B[0].shape[1]; K=A[0].shape[1]
    acc=np.zeros((M,N), f32)
    for k0 in range(0,K,kstep):
        s=np.zeros((M,N),f64)
        for i,j in PROD[scheme]:
            s+=A[i][:,k0:k0+kstep]@B[j][k0:k0+kstep,:]
        s=s.astype(f32).astype(f64)
        fac = 1.0
        if kfac is not None: fac = kfac[k0//kstep]
        acc=(acc.astype(f64)+s*fac).astype(f32)
    return acc
def kernel(q,k,v,scale,causal,scheme):
    Sq,d=q.shape; Sk=k.shape[0]
    if scheme==3:
        S=mm_pieces(split_bf16(q),[p.T for p in split_bf16(k)],16,3)
    else:
        sq=group_scale(q,0); sk=group_scale(k,0)
        Sp=mm_pieces(split_f16(q*sq[:,None]),[p.T for p in split_f16(k*sk[:,None])],16,2)
        # unscale: per row 1/sq, per key-group 1/sk (exact powers of 2)
        S=(Sp.astype(f64)*(1/sq.astype(f64))[:,None]*(1/sk.astype(f64))[None,:]).astype(f32)
    if causal:
        i=np.arange(Sq)[:,None]; j=np.arange(Sk)[None,:]
        S=np.where(j<=i+Sk-Sq, S, -np.inf).astype(f32)
    c=f32(scale*np.log2(np.e))
    m=S.max(1,keepdims=True); m=np.where(np.isinf(m),0,m).astype(f32)
    P=np.exp2((S*c-m*c).astype(f32)).astype(f32)
    l=P.sum(1,dtype=f32)
    if scheme==3:
        O=mm_pieces(split_bf16(P),split_bf16(v),16,3)
        O=(O/l[:,None]).astype(f32)
    else:
        shift=7
        sv=group_scale(v,0)
        kf=[f64(2.0**-shift)/f64(sv[k0]) for k0 in range(0,Sk,16)]
        O=mm_pieces(split_f16((P*f32(2**shift)).astype(f32)),split_f16(v*sv[:,None]),16,2,kfac=kf)
        O=(O/l[:,None]).astype(f32)
    return O
def ref64(q,k,v,scale,causal):
    S=(q.astype(f64)@k.astype(f64).T)*scale
    Sq,Sk=S.shape
    if causal:
        i=np.arange(Sq)[:,None]; j=np.arange(Sk)[None,:]; S=np.where(j<=i+Sk-Sq,S,-np.inf)
    S=S-S.max(1,keepdims=True); P=np.exp(S); P/=P.sum(1,keepdims=True); return P@v.astype(f64)
def math32(q,k,v,scale,causal):
    S=(q@k.T).astype(f32)*f32(scale)
    Sq,Sk=S.shape
    if causal:
        i=np.arange(Sq)[:,None]; j=np.arange(Sk)[None,:]; S=np.where(j<=i+Sk-Sq,S,-np.inf).astype(f32)
    S=S-S.max(1,keepdims=True); P=np.exp(S).astype(f32); P=P/P.sum(1,keepdims=True,dtype=f32); return (P@v).astype(f32)
rng=np.random.default_rng(int(sys.argv[1]) if len(sys.argv)>1 else 0)
seqs=[(113,203),(128,217),(108,256),(256,512),(512,256),(1024,1024),(1023,1024)]
heads=int(sys.argv[2]) if len(sys.argv)>2 else 2
mult=float(sys.argv[3]) if len(sys.argv)>3 else 1.0
for d in (64,128):
  for causal in (0,1):
    worst={2:0,3:0}; em={2:0,3:0}; mm=0
    for sq,sk in seqs:
      for h in range(heads):
        q=(rng.standard_normal((sq,d))*mult).astype(f32); k=(rng.standard_normal((sk,d))*mult).astype(f32); v=rng.standard_normal((sk,d)).astype(f32)
        sc=1/np.sqrt(d); r=ref64(q,k,v,sc,causal)
        e32=np.nanmax(np.abs(math32(q,k,v,sc,causal)-r))
        for sch in (2,3):
          e=np.nanmax(np.abs(kernel(q,k,v,sc,causal,sch)-r))
          worst[sch]=max(worst[sch],e/e32); em[sch]=max(em[sch],e)
        mm=max(mm,e32)
    print(f"d={d} causal={causal} math32 max {mm:.2e}  f16x2(3 prod) max {em[2]:.2e} worst ratio {worst[2]:.2f}  bf16x3(6 prod) max {em[3]:.2e} worst ratio {worst[3]:.2f}",flush=True)
