// /api/v1/* that names no operation — a problem+json 404 (not the dashboard's HTML page)
import { notFoundProblem } from '~/server/api-v1/not-found';

export const GET = notFoundProblem;
export const POST = notFoundProblem;
export const PUT = notFoundProblem;
export const PATCH = notFoundProblem;
export const DELETE = notFoundProblem;
