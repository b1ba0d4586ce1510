// The CLI's name for the store's request counter (one library call's figures).
export { RequestCounter as RequestStats, type RequestStatsSnapshot } from '@ssmhub/store';
