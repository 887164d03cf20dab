'use client';

import { useState, type FormEvent } from 'react';
import { api } from '../../../lib/api-client';
import { errorMessage } from './error-message';

/**
 * A form that posts one typed email address to an account endpoint (password reset, confirmation mail): the state
 * the form shows (sent to whom, error, pending) and its submit handler.
 */
export function useEmailRequest(path: string) {
  const [sentTo, setSentTo] = useState('');
  const [error, setError] = useState('');
  const [pending, setPending] = useState(false);
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const email = String(new FormData(e.currentTarget).get('email') ?? '').trim();
    setError('');
    setPending(true);
    try {
      await api(path, { body: { email } });
      setSentTo(email);
    } catch (err) {
      setError(errorMessage(err));
    }
    setPending(false);
  }
  return { sentTo, error, pending, onSubmit };
}
