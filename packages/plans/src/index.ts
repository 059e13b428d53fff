export { planProfiles, PROFILE_MEASURES, type PlanProfile, type ProfileScope, type Segment } from './profile.ts';
export { planOutliers, EXPLAINING_DIMENSIONS, OUTLIER_METRICS, type Explanation, type OutlierMetric, type OutlierReport, type PlanOutlier } from './outliers.ts';
