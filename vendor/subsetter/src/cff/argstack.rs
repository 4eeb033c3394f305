use crate::Error::CFFError;
use crate::Result;

const MAX_OPERANDS_LEN: usize = 48;

// Taken from ttf-parser.
/// paiban's patch: an operand is held as the bytes it is encoded in; only a subroutine
/// index, popped by a call, is ever read as a number.
pub struct ArgumentsStack<'a> {
    pub data: Vec<&'a [u8]>,
}

impl<'a> ArgumentsStack<'a> {
    pub fn new() -> Self {
        // paiban's patch: allocated once at its bound, not grown operand by operand.
        Self {
            data: Vec::with_capacity(MAX_OPERANDS_LEN),
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.data.len()
    }

    #[inline]
    pub fn push(&mut self, n: &'a [u8]) -> Result<()> {
        if self.len() == MAX_OPERANDS_LEN {
            Err(CFFError)
        } else {
            self.data.push(n);
            Ok(())
        }
    }

    #[inline]
    pub fn pop(&mut self) -> Option<&'a [u8]> {
        self.data.pop()
    }

    /// paiban's patch: empties the stack and returns how many operands it held, keeping
    /// its buffer (it was swapped for a new empty vector at every drawing operator).
    #[inline]
    pub fn pop_all(&mut self) -> usize {
        let n = self.data.len();
        self.data.clear();
        n
    }
}
