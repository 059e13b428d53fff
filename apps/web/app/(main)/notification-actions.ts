'use server';
// The bell's reads and writes (components/NotificationBell.tsx polls these): the caller's unread
// count and the workspace's latest notifications, and marking them read, through the API.
import { gql } from '@/lib/api';
import { LatestNotificationsDocument, type LatestNotificationsQuery, MarkNotificationsReadDocument } from '@/lib/graphql/operations';

export type BellNotification = LatestNotificationsQuery['notifications'][number];
export interface BellState { unread: number; notifications: BellNotification[] }

export async function latestNotifications(): Promise<BellState | null> {
  const res = await gql(LatestNotificationsDocument);
  return res.ok ? { unread: res.data.unreadNotifications, notifications: res.data.notifications } : null;
}

/** Marks the given notifications read (none given: all of them). */
export async function markNotificationsRead(ids: string[] | null): Promise<void> {
  await gql(MarkNotificationsReadDocument, { ids });
}
