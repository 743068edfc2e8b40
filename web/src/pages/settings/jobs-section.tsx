import { useCallback } from 'react';
import { jobEventsUrl, listJobs } from '../../api/polett.ts';
import { JobProgress } from '../../components/job-progress.tsx';
import { useLocale } from '../../i18n/locale-context.tsx';
import { useSignedIn } from '../../session.tsx';
import { useLoaded, LoadedView } from '../../components/loaded-view.tsx';

/** The workspace's recent background jobs, with live progress. */
export function JobsSection() {
  const { t } = useLocale();
  const { workspaceId } = useSignedIn();
  const load = useCallback(() => listJobs(workspaceId), [workspaceId]);
  const { loaded } = useLoaded(load);
  return (
    <section className="card" aria-labelledby="jobs-heading">
      <h2 id="jobs-heading">{t('jobs.title')}</h2>
      <p>{t('jobs.intro')}</p>
      <LoadedView loaded={loaded}>
        {(value) =>
          value.jobs.length === 0 ? (
            <p className="muted">{t('jobs.empty')}</p>
          ) : (
            value.jobs.map((job) => (
              <JobProgress key={job.id} initial={job} eventsUrl={jobEventsUrl(workspaceId, job.id)} />
            ))
          )
        }
      </LoadedView>
    </section>
  );
}
