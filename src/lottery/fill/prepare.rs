//! The part of a fill that does not depend on the random draws, computed once per fill: who is
//! excluded and why, everyone's weight, and who qualifies for which need and limit.

use std::collections::HashSet;

use crate::lottery::ids::UserId;
use crate::lottery::skill::{SkillLevel, SkillName, Skills};
use crate::lottery::unavailability::Reason;
use crate::lottery::weight::{doubling, log2_weight};

use super::error::{Absence, Excluded, Exclusion};
use super::request::{Candidate, FillRequest};

/// One requirement or limit, with its skill resolved to an index into `Prepared::skills`.
pub(super) struct Slot {
    pub skill_level: SkillLevel,
    /// `None` for `any`.
    pub skill: Option<usize>,
    pub level: u8,
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
    /// `2^(log2_weight − max)`: relative weights in (0, 1], safe to add up.
    pub weight: f64,
}

pub(super) struct Prepared<'a> {
    pub req: &'a FillRequest,
    pub needs: Vec<Slot>,
    pub limits: Vec<Slot>,
    /// Eligible members in join order.
    pub pool: Vec<Member<'a>>,
    /// Per need: pool indices qualifying, in pool order.
    pub need_candidates: Vec<Vec<u32>>,
    /// Per limit: pool indices qualifying, in pool order.
    pub limit_candidates: Vec<Vec<u32>>,
    /// Per pool member: the needs (then limits) it qualifies for, as ranges into `member_needs`
    /// and `member_limits`.
    pub member_needs: Flat,
    pub member_limits: Flat,
    /// Members left out before any draw, with their position in join order.
    pub excluded: Vec<(usize, Vec<Exclusion>)>,
}

/// Variable-length lists of small indices stored back to back.
#[derive(Default)]
pub(super) struct Flat {
    items: Vec<u32>,
    ends: Vec<usize>,
}

impl Flat {
    fn push(&mut self, list: impl Iterator<Item = u32>) {
        self.items.extend(list);
        self.ends.push(self.items.len());
    }

    pub fn get(&self, i: usize) -> &[u32] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.items[start..self.ends[i]]
    }
}

impl<'a> Prepared<'a> {
    pub fn new(req: &'a FillRequest) -> Self {
        let mut skills: Vec<&SkillName> = req
            .require
            .iter()
            .chain(req.limit.iter())
            .filter_map(|(sl, _)| match sl {
                SkillLevel::Any => None,
                SkillLevel::Skill { skill, .. } => Some(skill),
            })
            .collect();
        skills.sort();
        skills.dedup();

        let slot = |(sl, count): (&SkillLevel, u32)| {
            let (skill, level) = match sl {
                SkillLevel::Any => (None, 0),
                SkillLevel::Skill { skill, level } => {
                    (skills.binary_search(&skill).ok(), level.value())
                }
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
        let mut levels = vec![0u8; skills.len()];
        for a in &req.assigned {
            skill_levels(&a.skills, &skills, &mut levels);
            for s in needs.iter_mut().chain(limits.iter_mut()) {
                if qualifies(s, &levels) {
                    s.remaining -= 1;
                }
            }
        }

        let assigned: HashSet<&UserId> = req.assigned.iter().map(|a| &a.user).collect();
        let mut seen: HashSet<&UserId> = HashSet::with_capacity(req.candidates.len());
        let doubling = doubling(&req.period, req.fuzz);

        let mut pool = Vec::with_capacity(req.candidates.len());
        let mut pool_levels: Vec<u8> = Vec::with_capacity(req.candidates.len() * skills.len());
        let mut excluded = Vec::new();
        for (index, c) in req.candidates.iter().enumerate() {
            if assigned.contains(&c.user) || !seen.insert(&c.user) {
                continue;
            }
            skill_levels(&c.skills, &skills, &mut levels);
            let mut reasons = unavailable_reasons(req, c);
            for l in limits.iter().filter(|l| l.remaining <= 0) {
                if qualifies(l, &levels) {
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
            let since = c.joined_at.max(req.beginning);
            let lw = log2_weight(c.last_served, since, req.for_time, doubling);
            pool.push(Member {
                candidate: c,
                index,
                log2_weight: lw,
                weight: 0.0,
            });
            pool_levels.extend_from_slice(&levels);
        }
        let max = pool
            .iter()
            .map(|m| m.log2_weight)
            .fold(f64::NEG_INFINITY, f64::max);
        for m in &mut pool {
            m.weight = (m.log2_weight - max).exp2();
        }

        let width = skills.len();
        let mut need_candidates = vec![Vec::new(); needs.len()];
        let mut limit_candidates = vec![Vec::new(); limits.len()];
        let mut member_needs = Flat::default();
        let mut member_limits = Flat::default();
        for i in 0..pool.len() {
            let lv = &pool_levels[i * width..(i + 1) * width];
            let qn = (0..needs.len()).filter(|&j| qualifies(&needs[j], lv));
            member_needs.push(qn.clone().map(|j| j as u32));
            for j in qn {
                need_candidates[j].push(i as u32);
            }
            let ql = (0..limits.len()).filter(|&j| qualifies(&limits[j], lv));
            member_limits.push(ql.clone().map(|j| j as u32));
            for j in ql {
                limit_candidates[j].push(i as u32);
            }
        }
        needs.shrink_to_fit();
        limits.shrink_to_fit();
        Prepared {
            req,
            needs,
            limits,
            pool,
            need_candidates,
            limit_candidates,
            member_needs,
            member_limits,
            excluded,
        }
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

fn qualifies(slot: &Slot, levels: &[u8]) -> bool {
    match slot.skill {
        None => slot.skill_level.is_any(),
        Some(s) => levels[s] >= slot.level,
    }
}

/// Fills `out[k]` with the user's level in `skills[k]` (0 when missing) by walking both sorted lists.
fn skill_levels(user: &Skills, skills: &[&SkillName], out: &mut [u8]) {
    out.fill(0);
    let mut k = 0;
    for (name, level) in user {
        while k < skills.len() && skills[k] < name {
            k += 1;
        }
        if k == skills.len() {
            break;
        }
        if skills[k] == name {
            out[k] = level.value();
        }
    }
}

/// Why a candidate can't serve on this task, by the unavailability rules (see `unavailability`).
fn unavailable_reasons(req: &FillRequest, c: &Candidate) -> Vec<Exclusion> {
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
