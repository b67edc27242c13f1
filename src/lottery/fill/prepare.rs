//! The part of a fill that does not depend on the random draws, computed once per fill: who is
//! excluded and why, everyone's weight, and who qualifies for which need and limit.

use std::collections::HashSet;

use crate::lottery::ids::UserId;
use crate::lottery::skill::{SkillLevel, SkillName, Skills};
use crate::lottery::unavailability::Reason;
use crate::lottery::weight::{doubling, log2_weight, waiting_since};

use super::error::{Absence, Excluded, Exclusion};
use super::request::{Candidate, FillRequest};

/// One requirement or limit, with its skill resolved to an index into the needed skills.
pub(super) struct Slot {
    pub skill_level: SkillLevel,
    /// `None` for `any`.
    skill: Option<usize>,
    level: u8,
    /// Count left after the users already on the task (may be ≤ 0).
    pub remaining: i64,
    /// Configured count (for messages).
    pub configured: u32,
}

/// A member who may be picked.
pub(super) struct Member<'a> {
    pub candidate: &'a Candidate,
    /// Position in `FillRequest::candidates` (join order).
    pub index: usize,
    pub log2_weight: f64,
}

/// One need's candidates with their weights relative to the need's heaviest candidate.
pub(super) struct NeedPool {
    /// Pool indices, ascending (join order).
    pub members: Vec<u32>,
    /// `2^(log2_weight − scale)`, aligned with `members`.
    pub weights: Vec<f64>,
    /// The heaviest candidate's log2 weight.
    pub scale: f64,
}

impl NeedPool {
    fn new(members: Vec<u32>, pool: &[Member<'_>]) -> Self {
        let scale = members
            .iter()
            .map(|&i| pool[i as usize].log2_weight)
            .fold(f64::NEG_INFINITY, f64::max);
        let weights = members
            .iter()
            .map(|&i| (pool[i as usize].log2_weight - scale).exp2())
            .collect();
        NeedPool {
            members,
            weights,
            scale,
        }
    }
}

pub(super) struct Prepared<'a> {
    pub req: &'a FillRequest,
    pub needs: Vec<Slot>,
    pub limits: Vec<Slot>,
    /// Eligible members in join order.
    pub pool: Vec<Member<'a>>,
    /// Each pool member's level in each needed skill, `width` bytes per member.
    levels: Vec<u8>,
    width: usize,
    pub need_pools: Vec<NeedPool>,
    /// Per limit: pool indices qualifying, ascending.
    pub limit_members: Vec<Vec<u32>>,
    /// Members left out before any draw, with their position in join order.
    pub excluded: Vec<(usize, Vec<Exclusion>)>,
}

impl<'a> Prepared<'a> {
    pub fn new(req: &'a FillRequest) -> Self {
        let skills = SkillIndex::new(req.require.iter().chain(req.limit.iter()).filter_map(
            |(sl, _)| match sl {
                SkillLevel::Any => None,
                SkillLevel::Skill { skill, .. } => Some(skill),
            },
        ));
        let width = skills.len();

        let slot = |(sl, count): (&SkillLevel, u32)| {
            let (skill, level) = match sl {
                SkillLevel::Any => (None, 0),
                SkillLevel::Skill { skill, level } => (skills.find(skill), level.value()),
            };
            Slot {
                skill_level: sl.clone(),
                skill,
                level,
                remaining: i64::from(count),
                configured: count,
            }
        };
        let mut needs: Vec<Slot> = req.require.iter().map(slot).collect();
        let mut limits: Vec<Slot> = req.limit.iter().map(slot).collect();

        // Users already on the task count towards needs and limits (upstream §3.2 step 7), even
        // when that takes a limit below zero.
        let mut lv = vec![0u8; width];
        for a in &req.assigned {
            skills.levels(&a.skills, &mut lv);
            for s in needs.iter_mut().chain(limits.iter_mut()) {
                if s.qualifies(&lv) {
                    s.remaining -= 1;
                }
            }
        }

        let assigned: HashSet<&UserId> = req.assigned.iter().map(|a| &a.user).collect();
        let mut seen: HashSet<&UserId> = HashSet::with_capacity(req.candidates.len());
        let doubling = doubling(&req.period, req.fuzz);

        let mut pool = Vec::with_capacity(req.candidates.len());
        let mut levels: Vec<u8> = Vec::with_capacity(req.candidates.len() * width);
        let mut excluded = Vec::new();
        for (index, c) in req.candidates.iter().enumerate() {
            if assigned.contains(&c.user) || !seen.insert(&c.user) {
                continue;
            }
            skills.levels(&c.skills, &mut lv);
            let mut reasons = unavailable_reasons(req, c);
            for l in limits.iter().filter(|l| l.remaining <= 0) {
                if l.qualifies(&lv) {
                    reasons.push(Exclusion::Limit {
                        skill_level: l.skill_level.clone(),
                        limit: l.configured,
                    });
                }
            }
            if !reasons.is_empty() {
                excluded.push((index, reasons));
                continue;
            }
            let since = waiting_since(c.last_served, c.joined_at, req.beginning, req.for_time);
            pool.push(Member {
                candidate: c,
                index,
                log2_weight: log2_weight(Some(since), since, req.for_time, doubling),
            });
            levels.extend_from_slice(&lv);
        }

        // Who holds each needed skill (pool index, level), so a need's candidates come from one
        // short list instead of a test of every member against every need.
        let mut holders: Vec<Vec<(u32, u8)>> = vec![Vec::new(); width];
        for (i, row) in levels
            .chunks_exact(width.max(1))
            .enumerate()
            .take(pool.len())
        {
            for (k, &l) in row.iter().enumerate() {
                if l > 0 {
                    holders[k].push((i as u32, l));
                }
            }
        }
        let members_of = |slot: &Slot| -> Vec<u32> {
            match slot.skill {
                None if slot.skill_level.is_any() => (0..pool.len() as u32).collect(),
                None => Vec::new(),
                Some(k) => holders[k]
                    .iter()
                    .filter(|(_, l)| *l >= slot.level)
                    .map(|(i, _)| *i)
                    .collect(),
            }
        };
        let need_members: Vec<Vec<u32>> = needs.iter().map(members_of).collect();
        let limit_members: Vec<Vec<u32>> = limits.iter().map(members_of).collect();
        let need_pools = need_members
            .into_iter()
            .map(|members| NeedPool::new(members, &pool))
            .collect();
        Prepared {
            req,
            needs,
            limits,
            pool,
            levels,
            width,
            need_pools,
            limit_members,
            excluded,
        }
    }

    fn member_levels(&self, i: usize) -> &[u8] {
        &self.levels[i * self.width..(i + 1) * self.width]
    }

    /// Whether pool member `i` counts towards need `j`.
    pub fn need_applies(&self, j: usize, i: usize) -> bool {
        self.needs[j].qualifies(self.member_levels(i))
    }

    /// Whether pool member `i` counts towards limit `l`.
    pub fn limit_applies(&self, l: usize, i: usize) -> bool {
        self.limits[l].qualifies(self.member_levels(i))
    }

    /// A left-out candidate (by join-order index) for an error, with the given needs they would
    /// have counted towards.
    pub fn to_excluded(
        &self,
        index: usize,
        reasons: Vec<Exclusion>,
        needs: &[usize],
    ) -> Option<Excluded> {
        let c = self.req.candidates.get(index)?;
        Some(Excluded {
            user: c.user.clone(),
            reasons,
            counts_towards: needs
                .iter()
                .map(|&j| &self.needs[j].skill_level)
                .filter(|sl| sl.qualifies(&c.skills))
                .cloned()
                .collect(),
        })
    }
}

impl Slot {
    fn qualifies(&self, levels: &[u8]) -> bool {
        match self.skill {
            None => self.skill_level.is_any(),
            Some(s) => levels.get(s).is_some_and(|l| *l >= self.level),
        }
    }
}

/// The skills the needs and limits mention, each with a column in the per-member level table.
///
/// Looking a member's skills up here is the hottest step of a large fill, so names are compared by
/// a 16-byte prefix packed into an integer first (names are `[A-Za-z0-9_.]`, so zero padding cannot
/// collide), and by the full name only when prefixes tie.
struct SkillIndex<'a> {
    /// (prefix key, name), sorted; the position is the column.
    names: Vec<(u128, &'a SkillName)>,
}

impl<'a> SkillIndex<'a> {
    fn new(names: impl Iterator<Item = &'a SkillName>) -> Self {
        let mut names: Vec<(u128, &SkillName)> = names.map(|n| (prefix_key(n), n)).collect();
        names.sort();
        names.dedup();
        SkillIndex { names }
    }

    fn len(&self) -> usize {
        self.names.len()
    }

    fn find(&self, name: &SkillName) -> Option<usize> {
        let key = prefix_key(name);
        let first = self.names.partition_point(|(k, _)| *k < key);
        self.names[first..]
            .iter()
            .take_while(|(k, _)| *k == key)
            .position(|(_, n)| *n == name)
            .map(|offset| first + offset)
    }

    /// Fills `out[k]` with the user's level in column `k` (0 when they lack it).
    fn levels(&self, user: &Skills, out: &mut [u8]) {
        out.fill(0);
        for (name, level) in user {
            if let Some(k) = self.find(name) {
                out[k] = level.value();
            }
        }
    }
}

fn prefix_key(name: &SkillName) -> u128 {
    let bytes = name.as_str().as_bytes();
    let mut key = [0u8; 16];
    let n = bytes.len().min(16);
    key[..n].copy_from_slice(&bytes[..n]);
    u128::from_be_bytes(key)
}

/// Why a candidate can't serve on this task, by the unavailability rules (see `unavailability`).
pub(crate) fn unavailable_reasons(req: &FillRequest, c: &Candidate) -> Vec<Exclusion> {
    let mut reasons = Vec::new();
    for u in &c.unavailable {
        if !u.interval.overlaps(&req.interval) {
            continue;
        }
        let reason = match u.reason {
            Reason::Personal => Exclusion::Unavailable {
                absence: Absence::Personal,
                interval: u.interval,
            },
            Reason::Calendar => Exclusion::Unavailable {
                absence: Absence::Calendar,
                interval: u.interval,
            },
            Reason::Task { rotation, task } => {
                if rotation == req.rotation && task == req.task {
                    continue;
                }
                Exclusion::BusyOnTask {
                    rotation,
                    task,
                    interval: u.interval,
                }
            }
            Reason::Grace { rotation, task } => {
                if rotation != req.rotation || task == req.task {
                    continue;
                }
                Exclusion::Grace {
                    task,
                    interval: u.interval,
                }
            }
        };
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    reasons
}
