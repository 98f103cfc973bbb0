//! A backend for native tests: every call waits until the test answers it, in whatever
//! order the test likes (so answers can arrive late and out of order, as real IPC answers
//! do), and events are sent when the test says. Used with `state::run_tasks`, which drives
//! what the UI spawned.

use std::cell::RefCell;
use std::rc::Rc;
use std::task::{Poll, Waker};

use broadsheet_model::ApiError;
use serde_json::Value;

use super::{Backend, Reply};

/// One call the UI made, waiting for its answer.
pub struct Call {
    pub cmd: &'static str,
    pub args: Value,
    slot: Rc<RefCell<Slot>>,
}

#[derive(Default)]
struct Slot {
    answer: Option<Result<Value, ApiError>>,
    waker: Option<Waker>,
}

impl Call {
    /// Answers the call; the UI sees it when its tasks next run.
    pub fn answer(self, answer: Result<Value, ApiError>) {
        let mut slot = self.slot.borrow_mut();
        slot.answer = Some(answer);
        if let Some(w) = slot.waker.take() {
            w.wake();
        }
    }

    /// Answers with `value` as the command's result.
    pub fn ok(self, value: impl serde::Serialize) {
        let value = serde_json::to_value(value).expect("a JSON answer");
        self.answer(Ok(value));
    }
}

/// A listener the UI registered: the event's name and what it calls.
type Listener = (&'static str, Rc<dyn Fn(Value)>);

#[derive(Default)]
pub struct Fake {
    calls: RefCell<Vec<Call>>,
    listeners: RefCell<Vec<Listener>>,
}

impl Fake {
    /// A fake, installed as the backend every call goes to.
    pub fn install() -> Rc<Fake> {
        let fake = Rc::new(Fake::default());
        super::install(fake.clone());
        fake
    }

    /// The calls to `cmd` not answered yet, oldest first, taken out of the fake.
    pub fn take(&self, cmd: &str) -> Vec<Call> {
        let mut calls = self.calls.borrow_mut();
        let (taken, kept) = std::mem::take(&mut *calls).into_iter().partition(|c| c.cmd == cmd);
        *calls = kept;
        taken
    }

    /// The commands waiting for an answer, oldest first.
    pub fn pending(&self) -> Vec<&'static str> {
        self.calls.borrow().iter().map(|c| c.cmd).collect()
    }

    /// Sends `payload` to every listener of `event`.
    pub fn emit(&self, event: &str, payload: impl serde::Serialize) {
        let payload = serde_json::to_value(payload).expect("a JSON payload");
        let listeners: Vec<_> =
            self.listeners.borrow().iter().filter(|(e, _)| *e == event).map(|(_, f)| f.clone()).collect();
        for f in listeners {
            f(payload.clone());
        }
    }
}

impl Backend for Fake {
    fn invoke(&self, cmd: &'static str, args: Value) -> Reply {
        let slot = Rc::new(RefCell::new(Slot::default()));
        self.calls.borrow_mut().push(Call { cmd, args, slot: slot.clone() });
        Box::pin(std::future::poll_fn(move |cx| {
            let mut s = slot.borrow_mut();
            match s.answer.take() {
                Some(a) => Poll::Ready(a),
                None => {
                    s.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        }))
    }

    fn listen(
        &self,
        event: &'static str,
        on_event: Box<dyn Fn(Value)>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
        self.listeners.borrow_mut().push((event, Rc::from(on_event)));
        Box::pin(async {})
    }
}
