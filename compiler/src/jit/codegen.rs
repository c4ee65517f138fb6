//! Stage `codegen`: planned functions (verdict entries and update blocks) to machine code in a
//! `JITModule`.
//!
//! Cranelift's code generation (instruction selection, register allocation) is most of the cost
//! of loading a large policy (a 1,000-rule policy: about two thirds of its load), and the
//! functions are independent, so they are lowered and compiled on up to `available_parallelism`
//! threads, each with its own contexts; the module then takes the finished bytes in order.
//! Small policies stay on the calling thread: a thread costs more than a few functions.

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{AbiParam, Function, UserFuncName};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::{Context, FinalizedMachReloc};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{FuncId, Linkage, Module as _, ModuleReloc, default_libcall_names};

use super::lower::{self, Consts};
use super::plan::EntryPlan;
use super::update::{self, BlockKind};
use crate::interp::Interp;

/// One function to build: a dispatch entry's verdict function, or an update block's.
pub struct Job<'a> {
    pub plan: &'a EntryPlan,
    pub block: Option<BlockKind>,
}

/// Functions per thread below which no thread is started.
const PER_THREAD: usize = 8;

/// Machine code of one function, ready for `define_function_bytes`.
struct Compiled {
    bytes: Vec<u8>,
    align: u64,
    relocs: Vec<ModuleReloc>,
}

/// Compiles `jobs` into a finalised module; the ids are in `jobs` order.
pub fn compile(
    isa: OwnedTargetIsa,
    interp: &Interp,
    consts: &Consts,
    jobs: &[Job<'_>],
) -> Result<(JITModule, Vec<FuncId>), String> {
    let ptr = isa.pointer_type();
    let mut module = JITModule::new(JITBuilder::with_isa(isa.clone(), default_libcall_names()));
    let mut sig = module.make_signature();
    sig.params.push(AbiParam::new(ptr));
    let ids = (0..jobs.len())
        .map(|i| {
            module
                .declare_function(&format!("entry{i}"), Linkage::Local, &sig)
                .map_err(|e| format!("JIT declare: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let helper_sigs = lower::helper_signatures(ptr, || module.make_signature());
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len() / PER_THREAD)
        .max(1);
    let worker = |t: usize| -> Result<Vec<(usize, Compiled)>, String> {
        let mut ctx = Context::new();
        let mut fctx = FunctionBuilderContext::new();
        let mut out = Vec::new();
        // Interleaved, so neighbouring (similar-sized) functions spread over the threads.
        for i in (t..jobs.len()).step_by(threads) {
            ctx.func =
                Function::with_name_signature(UserFuncName::user(0, ids[i].as_u32()), sig.clone());
            let (job, hs, target) = (&jobs[i], helper_sigs.clone(), isa.frontend_config());
            match job.block {
                None => lower::lower_entry(
                    &mut ctx.func,
                    &mut fctx,
                    interp,
                    consts,
                    job.plan,
                    hs,
                    target,
                ),
                Some(kind) => update::lower_block(
                    &mut ctx.func,
                    &mut fctx,
                    interp,
                    consts,
                    job.plan,
                    kind,
                    hs,
                    target,
                ),
            }
            ctx.compile(&*isa, &mut ControlPlane::default())
                .map_err(|e| format!("JIT compile of entry {i}: {:?}", e.inner))?;
            let code = ctx.compiled_code().ok_or("JIT: no compiled code")?;
            let align = u64::from(code.buffer.alignment)
                .max(u64::from(isa.function_alignment().minimum))
                .max(isa.symbol_alignment());
            let relocs = code
                .buffer
                .relocs()
                .iter()
                .map(|r: &FinalizedMachReloc| ModuleReloc::from_mach_reloc(r, &ctx.func, ids[i]))
                .collect();
            out.push((
                i,
                Compiled {
                    bytes: code.code_buffer().to_vec(),
                    align,
                    relocs,
                },
            ));
            ctx.clear();
        }
        Ok(out)
    };
    let mut compiled: Vec<Option<Compiled>> = (0..jobs.len()).map(|_| None).collect();
    let parts: Vec<Result<Vec<(usize, Compiled)>, String>> = if threads == 1 {
        vec![worker(0)]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (1..threads).map(|t| s.spawn(move || worker(t))).collect();
            let mut parts = vec![worker(0)];
            for h in handles {
                parts.push(
                    h.join()
                        .unwrap_or_else(|_| Err("a JIT compile thread panicked".into())),
                );
            }
            parts
        })
    };
    for part in parts {
        for (i, c) in part? {
            compiled[i] = Some(c);
        }
    }
    for (i, c) in compiled.into_iter().enumerate() {
        let c = c.ok_or("a JIT function was not compiled")?;
        module
            .define_function_bytes(ids[i], c.align, &c.bytes, &c.relocs)
            .map_err(|e| format!("JIT define of entry {i}: {e}"))?;
    }
    module
        .finalize_definitions()
        .map_err(|e| format!("JIT finalize: {e}"))?;
    Ok((module, ids))
}
