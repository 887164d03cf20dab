import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { getApiProject, listApiProjects } from '@pocketping/db';
import { apiOperation } from '../api-route';
import { one, ZApiProject, ZId } from '../schemas';

export const listProjects = apiOperation(
  {
    operationId: 'listProjects',
    method: 'GET',
    path: '/projects',
    tag: 'Projects',
    summary: "The organization's projects (only its own project for a project-restricted key)",
    response: z.object({ data: z.array(ZApiProject) }),
  },
  async ({ app, tenant }) => ({ data: await listApiProjects(app.db, tenant) }),
);

export const getProject = apiOperation(
  {
    operationId: 'getProject',
    method: 'GET',
    path: '/projects/{projectId}',
    tag: 'Projects',
    summary: 'One project',
    params: z.strictObject({ projectId: ZId }),
    response: one(ZApiProject),
    errors: [404],
  },
  async ({ app, tenant, params }) => {
    const project = await getApiProject(app.db, tenant, params.projectId);
    if (!project) throw new AppError('not_found', 'Project not found.');
    return { data: project };
  },
);
