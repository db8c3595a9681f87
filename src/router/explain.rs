//! Why a route wins, in one pass over the index's candidates: the winner, the runner-up
//! (the first matching sub-route of another route, in priority order) and the route the
//! other priority formula picks. What `simulate`, its listener and `gateway test` ask for
//! every request, so no step scans the whole route table.

use super::{Match, Request, Router};

/// The router's answer with what explains it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Explained {
    /// The sub-route Kong picks ([`Router::find`]).
    pub winner: Option<Match>,
    /// The first matching sub-route of a route other than the winner's.
    pub runner_up: Option<Match>,
    /// The route the other priority formula picks ([`Router::find_with_other_formula`]).
    pub other_formula: Option<usize>,
}

impl Router {
    /// The winner, the runner-up and the other formula's pick. Same answers as
    /// [`Router::find`], the first entry of [`Router::all_matches`] of another route, and
    /// [`Router::find_with_other_formula`]; each candidate is tried at most once.
    pub fn explain(&self, req: &Request) -> Explained {
        let Some(path) = req.match_path() else { return Explained::default() };
        let cands = self.index.candidates(&path, req.host_and_port().0);
        // per candidate: whether it matched, once tried
        let mut tried: Vec<Option<bool>> = vec![None; cands.len()];
        let (mut winner, mut runner_up): (Option<Match>, Option<Match>) = (None, None);
        for (k, &i) in cands.iter().enumerate() {
            let m = self.try_entry(i, req, &path);
            tried[k] = Some(m.is_some());
            let Some(m) = m else { continue };
            match &winner {
                None => winner = Some(m),
                Some(w) if w.route != m.route => {
                    runner_up = Some(m);
                    break;
                }
                Some(_) => {}
            }
        }
        let mut order: Vec<usize> = (0..cands.len()).collect();
        order.sort_by_key(|&k| self.index.other_rank(cands[k]));
        let other_formula = order.into_iter().find_map(|k| {
            let hit = tried[k].unwrap_or_else(|| self.try_entry(cands[k], req, &path).is_some());
            hit.then(|| self.entries[cands[k]].route)
        });
        Explained { winner, runner_up, other_formula }
    }
}
